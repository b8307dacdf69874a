using Analytics.Collector.Enrichment;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
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
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Metrics.NewCustomRegistry());
        services.AddSingleton<CollectorMetrics>();

        // The pipeline, in order: validate, identify, describe (enrichment steps are added after these).
        services.AddSingleton<IHitStep, ValidateStep>();
        services.AddSingleton<IHitStep, IdentifyStep>();
        services.AddSingleton<IHitStep, DescribeStep>();
        services.AddEnrichment();
        services.AddSingleton<HitPipeline>();
        return services;
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
