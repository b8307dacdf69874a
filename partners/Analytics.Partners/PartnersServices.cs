using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Partners;

/// <summary>The partners' part: scheduled aggregate reports and their delivery.</summary>
public static class PartnersServices
{
    public static IServiceCollection AddPartners(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder routes) => routes;
}
