using Prometheus;

namespace Analytics.Partners;

/// <summary>Partner report counters and the push health gauge, in the host's registry.</summary>
public sealed class PartnersMetrics
{
    private readonly Counter _generated;
    private readonly Counter _withheld;
    private readonly Counter _pushes;
    private readonly Gauge _failing;

    public PartnersMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _generated = factory.CreateCounter("analytics_partner_reports_generated_total", "Partner reports generated.", "partner");
        _withheld = factory.CreateCounter("analytics_partner_cells_withheld_total", "Cells below k that appear in no published row.", "partner");
        _pushes = factory.CreateCounter("analytics_partner_push_attempts_total", "Push attempts to partner endpoints, by outcome.", "partner", "outcome");
        _failing = factory.CreateGauge("analytics_partner_push_failing", "Deliveries whose last push attempt failed and are waiting for a retry.", "partner");
    }

    public void Generated(string partner, long withheldCells)
    {
        _generated.WithLabels(partner).Inc();
        _withheld.WithLabels(partner).Inc(withheldCells);
    }

    public void PushAttempt(string partner, bool delivered) => _pushes.WithLabels(partner, delivered ? "delivered" : "failed").Inc();

    public void Failing(string partner, int deliveries) => _failing.WithLabels(partner).Set(deliveries);

    public double FailingCount(string partner) => _failing.WithLabels(partner).Value;
}
