using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Analysts;

/// <summary>The analysts' part: stats query API and dashboard.</summary>
public static class AnalystsServices
{
    public static IServiceCollection AddAnalysts(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapAnalysts(this IEndpointRouteBuilder routes) => routes;
}
