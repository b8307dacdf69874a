namespace Analytics.Collector.Pipeline;

/// <summary>One step of the collector pipeline: enriches the hit, or drops it with a reason.</summary>
public interface IHitStep
{
    /// <returns>null to pass the hit on, or the reason it is dropped.</returns>
    DropReason? Apply(HitContext hit);
}
