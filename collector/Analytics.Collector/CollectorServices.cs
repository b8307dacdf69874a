using Analytics.Collector.Abuse;
using Analytics.Collector.Enrichment;
using Analytics.Collector.Identity;
using Analytics.Collector.Links;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Analytics.Collector;

public static class CollectorServices
{
    /// <summary>The collector's steps, options and metrics. The caller provides an <see cref="Analytics.Pipeline.Transport.IHitSink"/>.</summary>
    public static IServiceCollection AddCollector(this IServiceCollection services)
    {
        services.AddOptions<CollectorOptions>().BindConfiguration(CollectorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SitesOptions>().BindConfiguration(SitesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SitesOptions>, SitesOptionsValidator>();
        services.AddSingleton<SiteRegistry>();
        services.AddSingleton(sp => new SiteStore(sp.GetRequiredService<IOptions<SitesOptions>>().Value));
        services.AddOptions<SigningOptions>().BindConfiguration(SigningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<VisitorCookie>();
        services.AddSingleton<Visitors.CsrfToken>();
        services.AddSingleton<LinkSigner>();
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<SelfServiceRateLimiter>();
        services.AddHostedService<CollectorAtStart>();
        // Kestrel binds only its endpoints from "Kestrel"; the request size limits are bound here.
        services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>((kestrel, configuration) =>
            configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Metrics.NewCustomRegistry());
        services.AddSingleton<CollectorMetrics>();

        // The pipeline runs the steps of the last registered list (CollectorSteps.cs), in its order.
        services.AddEnrichment();
        services.AddSingleton(CollectorSteps.Default);
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<HitPipeline>(sp, (IEnumerable<IHitStep>)sp.GetRequiredService<CollectorSteps>().Resolve(sp)));
        return services;
    }

    /// <summary>Loads the sites and keys at start, so a bad sites file or key fails the start, not the first beacon.</summary>
    private sealed class CollectorAtStart(SiteRegistry sites, SigningKeys keys) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(sites);
            GC.KeepAlive(keys);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SitesOptionsValidator : IValidateOptions<SitesOptions>
    {
        public ValidateOptionsResult Validate(string? name, SitesOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
