using System.Text.Json;
using Analytics.Partners.Configuration;
using Analytics.Partners.Generation;
using Analytics.Partners.Reports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Analytics.Partners.Scheduling;

/// <summary>
/// Runs every report definition at its schedule. At start it catches up the firings missed while the host was
/// down (the newest Partners:CatchUpLimit of them); a definition never run before runs its latest firing once.
/// The last completed firing of each definition is kept in StorePath/schedule.json. A failed run is retried a
/// minute later. All time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ReportScheduler(
    PartnerDirectory directory,
    ReportGenerator generator,
    TimeProvider time,
    ILogger<ReportScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    private readonly string _statePath = Path.GetFullPath(Path.Combine(directory.Options.StorePath, "schedule.json"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!directory.Options.SchedulerEnabled)
        {
            return;
        }
        var definitions = directory.All
            .SelectMany(p => p.Reports.Select(r => (Partner: p, Report: r, Schedule: new Schedule(r.Schedule))))
            .ToList();
        if (definitions.Count == 0)
        {
            return;
        }
        var state = Load();
        while (!stoppingToken.IsCancellationRequested)
        {
            var failed = await RunDueAsync(definitions, state, stoppingToken);
            var now = time.GetUtcNow();
            // The next firing after each definition's last completed one (a firing that came due while this
            // round ran is run right away rather than waited for); a failed definition is retried later.
            var next = definitions.Min(d =>
            {
                var key = Key(d.Partner, d.Report);
                return failed.Contains(key) ? now + RetryDelay
                    : d.Schedule.Next(state.LastRuns.TryGetValue(key, out var last) && last < now ? last : now);
            });
            if (next > now)
            {
                await Task.Delay(next - now, time, stoppingToken);
            }
        }
    }

    /// <summary>Runs every due firing; returns the keys of the definitions whose run failed.</summary>
    private async Task<HashSet<string>> RunDueAsync(
        List<(PartnerOptions Partner, ReportOptions Report, Schedule Schedule)> definitions, ScheduleState state, CancellationToken stoppingToken)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var (partner, report, schedule) in definitions)
        {
            var key = Key(partner, report);
            var firings = state.LastRuns.TryGetValue(key, out var last)
                ? schedule.Between(last, now).ToList()
                : schedule.Latest(now) is { } latest ? [latest] : [];
            if (firings.Count > directory.Options.CatchUpLimit)
            {
                Log.CatchUpCapped(logger, partner.Id, report.Id, firings.Count, directory.Options.CatchUpLimit);
                firings = firings[^directory.Options.CatchUpLimit..];
            }
            foreach (var (at, localDate) in firings)
            {
                var window = ReportWindow.Preceding(report.Window, localDate);
                try
                {
                    await generator.GenerateAsync(partner.Id, report.Id, window, "scheduler", stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.RunFailed(logger, e, partner.Id, report.Id, window.Name);
                    failed.Add(key);
                    break;
                }
                state.LastRuns[key] = at;
                await SaveAsync(state, stoppingToken);
            }
        }
        return failed;
    }

    private static string Key(PartnerOptions partner, ReportOptions report) => partner.Id + "/" + report.Id;

    private ScheduleState Load() =>
        File.Exists(_statePath)
            ? JsonSerializer.Deserialize(File.ReadAllBytes(_statePath), PartnersJsonContext.Default.ScheduleState) ?? new ScheduleState()
            : new ScheduleState();

    private async Task SaveAsync(ScheduleState state, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_statePath)!);
        var temporary = _statePath + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(state, PartnersJsonContext.Default.ScheduleState), cancellationToken);
        File.Move(temporary, _statePath, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(8201, LogLevel.Error, "Scheduled report {Partner}/{Report} for {Window} failed; retrying in a minute")]
        public static partial void RunFailed(ILogger logger, Exception exception, string partner, string report, string window);

        [LoggerMessage(8202, LogLevel.Warning, "Report {Partner}/{Report} missed {Missed} runs; catching up the newest {Limit}")]
        public static partial void CatchUpCapped(ILogger logger, string partner, string report, int missed, int limit);
    }
}
