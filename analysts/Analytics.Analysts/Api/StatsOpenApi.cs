using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Analytics.Analysts.Api;

/// <summary>The OpenAPI document's title, Bearer security and worked examples.</summary>
internal static class StatsOpenApi
{
    private const string QueryExample = """
        {
          "site_id": "demo",
          "metrics": ["visitors", "pageviews", "bounce_rate"],
          "date_range": "7d",
          "dimensions": ["page"],
          "filters": [["is", "country", ["FR", "DE"]], ["not", ["contains", "page", ["/admin"]]]],
          "order_by": [["visitors", "desc"]],
          "include": { "comparisons": { "mode": "previous_period" } },
          "pagination": { "limit": 10, "offset": 0 }
        }
        """;

    private const string AnswerExample = """
        {
          "results": [
            { "dimensions": ["/pricing"], "metrics": [120, 180, 41.5],
              "comparison": { "dimensions": ["/pricing"], "metrics": [100, 150, 45.0], "change": [20.0, 20.0, -3.5] } }
          ],
          "meta": { "total_rows": 37, "time_zone": "UTC", "date_range": ["2026-11-23", "2026-11-29"], "comparison_date_range": ["2026-11-16", "2026-11-22"] },
          "query": { "site_id": "demo", "metrics": ["visitors", "pageviews", "bounce_rate"], "dimensions": ["page"], "limit": 10, "offset": 0 }
        }
        """;

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Stats"] = "Aggregate statistics of one site: metrics, breakdowns, time series, realtime.",
        ["Goals and segments"] = "A site's saved goals (conversions) and segments (named filter sets); read with any key for the site, changed with its admin key.",
        ["Sites"] = "The registered sites: listed and changed with an admin key, the same changes as './analytics site'.",
        ["Links"] = "Signed newsletter links whose clicks are counted per campaign.",
        ["Partner reports"] = "A partner's own aggregate reports, pulled with the partner's key.",
        ["Partner administration"] = "The operator's view of partner reports: audit, delivery status, reruns.",
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Analytics stats API",
                Version = "v2",
                Description = "Read-only statistics. Send an API key (./analytics key create --site SITE) as 'Authorization: Bearer <key>'. "
                    + "Every response carries X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset; over the limit the answer is 429.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key for the site." };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
            // Client generators join paths to the server URL: "http://host/" + "/api/..." would give "//api".
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }
            document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (operation.OperationId == "Query")
            {
                if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                {
                    body.Example = JsonNode.Parse(QueryExample);
                }
                if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var answer) == true)
                {
                    answer.Example = JsonNode.Parse(AnswerExample);
                }
            }
            return Task.CompletedTask;
        });
    }
}
