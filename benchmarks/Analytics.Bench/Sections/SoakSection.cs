using Analytics.Bench.Report;
using Analytics.Bench.Servers;
using Analytics.Bench.Soak;
using Analytics.KafkaMock;

namespace Analytics.Bench.Sections;

/// <summary>
/// Soak: steady load on the collector for a bounded time while faults are triggered in turn; then the
/// collector is stopped (it drains its queue) and what it acknowledged is compared with what was stored.
/// </summary>
public sealed class SoakSection(BenchSettings settings, TextWriter log)
{
    // Sessions:InactivityTimeout's default: a shorter soak makes one visit per returning visitor.
    private static readonly TimeSpan VisitTimeout = TimeSpan.FromMinutes(30);

    /// <param name="collector">The process under load: the embedded host, or the collector role.</param>
    /// <param name="kafka">The mock cluster with `--transport kafka`; null otherwise.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <param name="aggregator">The aggregator role's process when the roles run apart (then it holds the store); null for the embedded host.</param>
    public async Task<SoakFigures> RunAsync(CollectorServer collector, MockCluster? kafka, CancellationToken cancellationToken, CollectorServer? aggregator = null)
    {
        var duration = settings.Soak ?? throw new InvalidOperationException("No soak duration");
        var faults = settings.Faults.Select(name => FaultScenarios.All[name]).ToList();
        var segment = duration / (faults.Count + 1);
        var hold = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, segment.Ticks / 2));
        var context = new FaultContext(collector, settings, hold, log, kafka, aggregator);

        // The harness's own paced client, not wrk: it knows which beacon each answer was for.
        var load = PacedLoad.RunAsync(() => collector.BaseUrl, settings.SoakRate, duration, settings.Visitors, cancellationToken);
        for (var i = 0; i < faults.Count; i++)
        {
            await Task.Delay(i == 0 ? segment - (hold / 2) : segment - hold, cancellationToken);
            log.WriteLine($"  fault {faults[i].Name}: {faults[i].Description} for {hold.TotalSeconds:0.#} s");
            await faults[i].InjectAsync(context, cancellationToken);
            try
            {
                await Task.Delay(hold, cancellationToken);
            }
            finally
            {
                await faults[i].HealAsync(context, CancellationToken.None);
            }
        }
        var result = await load;
        var delivery = aggregator is null
            ? await DeliveryCheck.RunAsync(collector, result.AnsweredPaths.Count, cancellationToken)
            : await DeliveryCheck.RunApartAsync(collector, aggregator, result.AnsweredPaths.Count, cancellationToken);
        var stored = StoredHits.Site((aggregator ?? collector).DataDirectory, CollectorServer.SoakSite);
        // A restarted collector (or embedded host) counts accepted hits from zero again.
        var restarted = faults.Any(f => f is KillEmbeddedFault || f == KillRoleFault.Collector);
        delivery = delivery with
        {
            Answered = new AnsweredFigures(result.AnsweredPaths.Count, stored.Rows, stored.DistinctHitIds, stored.DistinctPaths, stored.RollupHits,
                result.AnsweredPaths.Count(path => !stored.Paths.Contains(path)), restarted, duration < VisitTimeout ? stored.Visits : null),
        };
        if (DeliveryCheck.Kafka is { } kafkaCounters)
        {
            log.WriteLine("  " + kafkaCounters);
        }
        var a = delivery.Answered!;
        log.WriteLine($"  soak: sent {result.Requests:N0} at {result.RequestsPerSecond:N0} req/s, answered {delivery.BeaconsAnswered:N0}, accepted {delivery.HitsAccepted:N0}{(restarted ? " (since the restart)" : "")}, stored {delivery.HitsStored:N0} ({(delivery.AllStored ? "all stored" : "MISMATCH")})");
        log.WriteLine($"  soak site: answered {a.Answered:N0} distinct paths; stored {a.StoredRows:N0} rows, {a.StoredDistinctHitIds:N0} distinct hit IDs, {a.StoredDistinctPaths:N0} distinct paths, {a.RollupHits:N0} in the hourly rollup; answered not stored {a.AnsweredMissing:N0}; answered ⊆ stored, no doubles, rollup agrees: {(a.Exact ? "yes" : "NO")}");
        log.WriteLine(a.Visits is { } v
            ? $"  soak visits: {v.Visitors:N0} visitors stored ({v.OneHitVisitors:N0} with one hit); sessions {v.Visits:N0} visits of {v.Pageviews:N0} pageviews, {v.Bounces:N0} bounces, {v.Duration:N0} s, {v.Unmatched:N0} unmatched cancelling rows; hourly rollup {v.Rollup.Visits:N0} visits, {v.Rollup.Bounces:N0} bounces, {v.Rollup.Duration:N0} s; one visit per visitor holding every pageview: {(a.VisitsAgree ? "yes" : "NO")}"
            : $"  soak visits: not compared (a soak of {VisitTimeout.TotalMinutes:0} minutes or more may end visits on their timeout)");
        return new SoakFigures(duration.TotalSeconds, result.RequestsPerSecond, [.. faults.Select(f => f.Name)], delivery, result.P99Microseconds / 1000.0, result.Errors);
    }
}
