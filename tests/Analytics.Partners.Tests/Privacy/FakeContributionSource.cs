using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>Constructed cells taken as already bounded (the bounding itself is tested on chDB in RawHitsContributionSourceTests).</summary>
public sealed class FakeContributionSource : IContributionSource
{
    public List<AggregateRow> Cells { get; } = [];

    public Task<IReadOnlyList<AggregateRow>> BoundedRowsAsync(
        ReportQuery query, int maxCellsPerVisitor, int maxContributionsPerVisitor, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AggregateRow>>(Cells.Where(c => c.Period >= query.Window.From && c.Period <= query.Window.To).ToList());
}
