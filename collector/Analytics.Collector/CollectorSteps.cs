using Analytics.Collector.Enrichment;
using Analytics.Collector.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Collector;

/// <summary>
/// The hit pipeline's steps, in the order every beacon passes them: the one place that order is written. A new
/// step is one line here (its services go in its folder's XxxServices). A tool that needs another order (the log
/// importer) registers a changed copy of <see cref="Default"/>; the last registered list is the one that runs.
/// </summary>
public sealed record CollectorSteps(IReadOnlyList<Type> Order)
{
    public static CollectorSteps Default { get; } = new(
    [
        typeof(RateLimitStep),   // per-client flood limit, before any other work
        typeof(ValidateStep),    // registered site and host, sizes, the page URL
        typeof(ConsentStep),     // DNT, Sec-GPC, opt-out: anonymous or dropped
        typeof(IdentifyStep),    // the visitor ID from the signed cookie, or a new one
        typeof(DescribeStep),    // the hit's own fields from the beacon
        typeof(UserAgentStep),   // browser, OS, device, bot; the raw user-agent stays here
        typeof(LanguageStep),    // the primary language subtag of Accept-Language; the header stays here
        typeof(GeoStep),         // country, region, city; the IP address stays here
        typeof(SourceStep),      // referrer, channel, campaign
        typeof(UrlStep),         // URLs scrubbed of query strings, e-mails and tokens
    ]);

    /// <summary>This list with <paramref name="step"/> just before <typeparamref name="TBefore"/>.</summary>
    public CollectorSteps InsertBefore<TBefore>(Type step) where TBefore : IHitStep
    {
        var at = Order.ToList().IndexOf(typeof(TBefore));
        if (at < 0)
        {
            throw new InvalidOperationException($"The step list has no {typeof(TBefore).Name} to put {step.Name} before.");
        }
        return new([.. Order.Take(at), step, .. Order.Skip(at)]);
    }

    /// <summary>This list without <typeparamref name="TStep"/>.</summary>
    public CollectorSteps Without<TStep>() where TStep : IHitStep => new([.. Order.Where(t => t != typeof(TStep))]);

    /// <summary>
    /// The steps as instances, in order: each a registered service of its type, else made with its dependencies.
    /// A step registered as <see cref="IHitStep"/> the old way would never run, so it fails the start instead.
    /// </summary>
    public IHitStep[] Resolve(IServiceProvider services)
    {
        if (services.GetServices<IHitStep>().Select(s => s.GetType()).FirstOrDefault(t => !Order.Contains(t)) is { } stray)
        {
            throw new InvalidOperationException($"{stray.Name} is registered as an IHitStep but is not in the step list: add it to CollectorSteps.Default (collector/Analytics.Collector/CollectorSteps.cs) where it runs.");
        }
        return [.. Order.Select(t => (IHitStep)ActivatorUtilities.GetServiceOrCreateInstance(services, t))];
    }
}
