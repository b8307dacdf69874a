using Analytics.Partners.Audit;
using Analytics.Partners.Configuration;
using Analytics.Partners.Delivery;
using Analytics.Partners.Formats;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;
using Analytics.Partners.Storage;
using Microsoft.Extensions.Logging;

namespace Analytics.Partners.Generation;

/// <summary>
/// Runs one report definition for one window: rollups and k-anonymity, or (differential privacy) the partner's
/// budget, bounded contributions and noise; then file, audit and push.
/// </summary>
public sealed partial class ReportGenerator(
    PartnerDirectory directory,
    IAggregateSource source,
    ReportStore store,
    AuditLog audit,
    PushDelivery push,
    PartnersMetrics metrics,
    TimeProvider time,
    IContributionSource contributions,
    PrivacyLedger ledger,
    IRandomSource random,
    ILogger<ReportGenerator> logger)
{
    /// <summary>Generates, stores (replacing an earlier run of the same window), audits and queues the push.</summary>
    public async Task<StoredReport> GenerateAsync(string partnerId, string reportId, ReportWindow window, string actor, CancellationToken cancellationToken)
    {
        var (partner, report) = Resolve(partnerId, reportId);
        var table = await BuildAsync(partner, report, window, actor, cancellationToken);
        var stored = await store.SaveAsync(table, report.Format, cancellationToken);
        await audit.AppendAsync(new AuditEntry
        {
            At = time.GetUtcNow(),
            Action = AuditActions.Generated,
            Actor = actor,
            Partner = partner.Id,
            Report = report.Id,
            Window = window.Name,
            Rows = stored.Rows,
            WithheldCells = stored.WithheldCells,
            Sha256 = stored.Sha256,
            Detail = stored.FileName,
        }, CancellationToken.None);
        metrics.Generated(partner.Id, stored.WithheldCells);
        Log.Generated(logger, partner.Id, report.Id, window.Name, stored.Rows, stored.WithheldCells);
        if (partner.Push.Url.Length > 0)
        {
            push.Enqueue(stored);
        }
        return stored;
    }

    /// <summary>
    /// Writes the report to <paramref name="output"/> without storing or pushing it (the CLI's export); audited all
    /// the same, with <paramref name="destination"/> as its detail. <paramref name="progress"/> is told "reading",
    /// "writing" and "done" as the export moves on.
    /// </summary>
    public async Task<ReportTable> ExportAsync(
        string partnerId, string reportId, ReportWindow window, ReportFormat? format, Stream output, string destination,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (partner, report) = Resolve(partnerId, reportId);
        progress?.Report("reading");
        var table = await BuildAsync(partner, report, window, "cli", cancellationToken);
        await store.RecordWithheldAsync(table, cancellationToken);
        progress?.Report("writing");
        using var buffer = new MemoryStream();
        await ReportWriters.For(format ?? report.Format).WriteAsync(table, buffer, cancellationToken);
        buffer.Position = 0;
        var sha256 = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(buffer, cancellationToken));
        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken);
        await audit.AppendAsync(new AuditEntry
        {
            At = time.GetUtcNow(),
            Action = AuditActions.Generated,
            Actor = "cli",
            Partner = partner.Id,
            Report = report.Id,
            Window = window.Name,
            Rows = table.DataRows,
            WithheldCells = table.WithheldCells,
            Sha256 = sha256,
            Detail = destination,
        }, CancellationToken.None);
        progress?.Report("done");
        return table;
    }

    public (PartnerOptions Partner, ReportOptions Report) Resolve(string partnerId, string reportId)
    {
        var partner = directory.Find(partnerId) ?? throw new KeyNotFoundException($"No partner '{partnerId}' in Partners:Partners.");
        var report = PartnerDirectory.FindReport(partner, reportId) ?? throw new KeyNotFoundException($"Partner '{partnerId}' has no report '{reportId}'.");
        return (partner, report);
    }

    private async Task<ReportTable> BuildAsync(
        PartnerOptions partner, ReportOptions report, ReportWindow window, string actor, CancellationToken cancellationToken)
    {
        var query = PartnerDirectory.QueryFor(partner, report, window);
        if (report.Privacy.Mode != PrivacyMode.DifferentialPrivacy)
        {
            if (ReportPeriods.WindowProblem(report.Granularity, report.Window, window) is { } problem)
            {
                throw new UnpublishableWindowException($"Report '{report.Id}' of partner '{partner.Id}': {problem}.");
            }
            return await SmallCellSuppression.BuildAsync(
                source, query, directory.KFor(partner, report), partner.SmallCells,
                store.WithheldBefore(partner.Id, report.Id, window.Name), cancellationToken);
        }
        var privacy = report.Privacy;
        try
        {
            // Spent before any noise is drawn: a run that fails later has still spent (the safe side).
            await ledger.SpendAsync(partner.Id, report.Id, window, privacy.Epsilon, privacy.Delta, partner.PrivacyBudget, actor, cancellationToken);
        }
        catch (PrivacyBudgetExceededException refused)
        {
            await audit.AppendAsync(new AuditEntry
            {
                At = time.GetUtcNow(),
                Action = AuditActions.Refused,
                Actor = actor,
                Partner = partner.Id,
                Report = report.Id,
                Window = window.Name,
                Detail = refused.Message,
            }, CancellationToken.None);
            Log.BudgetRefused(logger, partner.Id, report.Id, window.Name);
            throw;
        }
        var parameters = DpNoise.ParametersFor(privacy, query.Metrics.Count);
        var bounded = await contributions.BoundedRowsAsync(query, privacy.MaxCellsPerVisitor, privacy.MaxContributionsPerVisitor, cancellationToken);
        return NoisyCells.Build(query, bounded, parameters, random);
    }

    private static partial class Log
    {
        [LoggerMessage(8001, LogLevel.Information, "Generated report {Partner}/{Report}/{Window}: {Rows} rows, {Withheld} cells withheld")]
        public static partial void Generated(ILogger logger, string partner, string report, string window, int rows, long withheld);

        [LoggerMessage(8002, LogLevel.Warning, "Refused report {Partner}/{Report}/{Window}: the partner's privacy budget for a month the window covers is spent")]
        public static partial void BudgetRefused(ILogger logger, string partner, string report, string window);
    }
}
