using Analytics.Collector.Enrichment.Geo;
using Analytics.Collector.Enrichment.Sources;
using Analytics.Collector.Enrichment.Urls;
using Analytics.Collector.Enrichment.UserAgents;
using Analytics.Collector.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Enrichment;

public static class EnrichmentServices
{
    /// <summary>
    /// The enrichment steps (user agent, language, geo, sources, URL scrubbing), their data and options. Call it
    /// after the steps it follows are registered: steps run in registration order.
    /// </summary>
    public static IServiceCollection AddEnrichment(this IServiceCollection services)
    {
        services.AddOptions<UserAgentOptions>().BindConfiguration(UserAgentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GeoOptions>().BindConfiguration(GeoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<GeoOptions>, GeoOptionsValidator>();
        services.AddOptions<UrlOptions>().BindConfiguration(UrlOptions.Section).ValidateOnStart();

        services.AddSingleton(sp => UserAgentClassifier.Create(sp.GetRequiredService<IOptions<UserAgentOptions>>().Value));
        services.AddSingleton<GeoLocator>();
        services.AddSingleton(sp => new ClientAddress(sp.GetRequiredService<IOptions<GeoOptions>>().Value.TrustedProxies));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<UrlOptions>>().Value.ReferrersPath is { Length: > 0 } path
            ? ReferrerList.Load(path)
            : ReferrerList.LoadDefault());
        services.AddSingleton<EnrichmentMetrics>();
        services.AddHostedService<EnrichmentStartup>();

        services.AddSingleton<IHitStep, UserAgentStep>();
        services.AddSingleton<IHitStep, LanguageStep>();
        services.AddSingleton<IHitStep, GeoStep>();
        services.AddSingleton<IHitStep, SourceStep>();
        services.AddSingleton<IHitStep, UrlStep>();
        return services;
    }

    private sealed class GeoOptionsValidator : IValidateOptions<GeoOptions>
    {
        public ValidateOptionsResult Validate(string? name, GeoOptions options)
        {
            var problems = new List<string>();
            for (var i = 0; i < options.TrustedProxies.Count; i++)
            {
                try
                {
                    ClientAddress.ParseNetwork(options.TrustedProxies[i]);
                }
                catch (FormatException e)
                {
                    problems.Add($"{GeoOptions.Section}:TrustedProxies:{i}: {e.Message}");
                }
            }
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
