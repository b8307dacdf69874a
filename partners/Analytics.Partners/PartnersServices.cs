using Analytics.Partners.Api;
using Analytics.Partners.Audit;
using Analytics.Partners.Configuration;
using Analytics.Partners.Delivery;
using Analytics.Partners.Generation;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;
using Analytics.Partners.Rollups;
using Analytics.Partners.Scheduling;
using Analytics.Partners.Storage;
using Analytics.Pipeline.ClickHouse;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Analytics.Partners;

/// <summary>The partners' part: scheduled aggregate reports, small-cell suppression, pull and push delivery, audit.</summary>
public static class PartnersServices
{
    /// <summary>
    /// Partner reports on the rollups of the registered <see cref="Analytics.Pipeline.ClickHouse.IClickHouse"/>
    /// (an <see cref="IAggregateSource"/> registered before this call is used instead).
    /// </summary>
    public static IServiceCollection AddPartners(this IServiceCollection services)
    {
        services.AddOptions<PartnersOptions>().BindConfiguration(PartnersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PartnersOptions>, PartnersOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(Metrics.NewCustomRegistry());
        services.TryAddSingleton<IAggregateSource, RollupAggregateSource>();
        services.AddSingleton<PartnerDirectory>();
        services.AddSingleton<PartnersMetrics>();
        services.AddSingleton<ReportStore>();
        services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<IOptions<PartnersOptions>>()));
        services.TryAddSingleton<IRandomSource>(CryptoRandomSource.Instance);
        // Resolved on the first DP report only, so hosts without ClickHouse (tests on constructed cells) still start.
        services.TryAddSingleton<IContributionSource>(sp => new RawHitsContributionSource(sp.GetRequiredService<IClickHouse>));
        services.AddSingleton(sp => new PrivacyLedger(
            Path.Combine(sp.GetRequiredService<IOptions<PartnersOptions>>().Value.StorePath, "privacy-ledger.jsonl"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReportGenerator>();
        services.AddSingleton<PushDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<PushDelivery>());
        services.AddSingleton<ReportScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportScheduler>());
        // Pushes never follow redirects: a report goes only to the configured endpoint.
        services.AddHttpClient(PushDelivery.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return services;
    }

    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder routes) =>
        routes.MapPartnerPull().MapPartnerAdmin();
}
