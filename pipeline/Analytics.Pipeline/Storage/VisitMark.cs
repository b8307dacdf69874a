using System.Globalization;
using System.Text.Json.Serialization;
using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// One visit state a batch writes (sign +1), recorded with the batch before its inserts (<c>batch_writes.visit_marks</c>,
/// schema/0021): finding it in <c>sessions</c> later tells that the batch's visits insert landed.
/// </summary>
public sealed record VisitMark(
    [property: JsonPropertyName("site_id")] string SiteId,
    [property: JsonPropertyName("started_at")] string StartedAt,
    [property: JsonPropertyName("session_id")] Guid SessionId,
    [property: JsonPropertyName("version")] uint Version)
{
    /// <summary>
    /// One new state per month partition of <c>sessions</c>: an insert commits one part per partition, each whole or
    /// not at all, so one row of each part tells whether that part landed.
    /// </summary>
    public static IReadOnlyList<VisitMark> Of(IReadOnlyList<SessionRow> rows) =>
    [
        .. rows.Where(row => row.Sign > 0)
            .DistinctBy(row => (row.StartedAt.Year, row.StartedAt.Month))
            .Select(row => new VisitMark(row.Entry.SiteId, row.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), row.SessionId, row.Version)),
    ];
}
