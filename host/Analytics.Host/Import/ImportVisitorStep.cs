using Analytics.Collector.Pipeline;

namespace Analytics.Host.Import;

/// <summary>
/// Put before the step that builds the outgoing hit during an import: the visitor ID is the line's derived
/// historic ID (<see cref="HistoricVisitorIds"/>) instead of a cookie's. Live traffic never has the item.
/// </summary>
public sealed class ImportVisitorStep : IHitStep
{
    public const string ItemKey = "analytics.import.visitor";

    public DropReason? Apply(HitContext hit)
    {
        // Consent still wins: a hit the consent step made anonymous stays anonymous.
        if (!hit.IsAnonymous && hit.Http.Items.TryGetValue(ItemKey, out var value) && value is ImportedVisitor visitor)
        {
            hit.VisitorId = visitor.Id;
            hit.IsNewVisitor = visitor.IsNew;
            hit.IssueCookie = false;
        }
        return null;
    }
}

/// <summary>The derived visitor of one imported line; new on its first line of the import.</summary>
public sealed record ImportedVisitor(Guid Id, bool IsNew);
