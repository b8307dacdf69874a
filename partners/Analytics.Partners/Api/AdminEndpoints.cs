using Analytics.Partners.Audit;
using Analytics.Partners.Configuration;
using Analytics.Partners.Delivery;
using Analytics.Partners.Generation;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;
using Analytics.Partners.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Partners.Api;

/// <summary>
/// Operator endpoints under /api/partners-admin, authorised by the operator key (Partners:OperatorKeySha256;
/// when it is empty these answer 404): the audit log, delivery status, and reruns for a past window.
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapPartnerAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/partners-admin").AddEndpointFilter(async (context, next) =>
        {
            var directory = context.HttpContext.RequestServices.GetService(typeof(PartnerDirectory)) as PartnerDirectory;
            var expected = directory?.Options.OperatorKeySha256 ?? "";
            if (expected.Length == 0)
            {
                return TypedResults.NotFound();
            }
            if (!PartnerKeys.Matches(PartnerKeys.BearerToken(context.HttpContext.Request.Headers.Authorization), expected))
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Unauthorized();
            }
            return await next(context);
        });
        group.WithTags("Partner administration");
        group.MapGet("/audit", ListAudit)
            .WithName("ListPartnerAudit")
            .Produces<IReadOnlyList<AuditEntry>>()
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status404NotFound)
            .WithSummary("Who generated, downloaded or was pushed which report, oldest first.");
        group.MapGet("/status", Status)
            .WithName("GetPartnerDeliveryStatus")
            .Produces<DeliveryStatusResponse>()
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status404NotFound)
            .WithSummary("Every partner's reports with their delivery state.");
        group.MapPost("/reruns", Rerun)
            .WithName("RerunPartnerReport")
            .Produces<RerunResponse>()
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status404NotFound)
            .WithSummary("Generate (and deliver) one report again for a past window.");
        return routes;
    }

    private static async Task<JsonHttpResult<IReadOnlyList<AuditEntry>>> ListAudit(string? partner, int? limit, AuditLog audit, CancellationToken cancellationToken) =>
        TypedResults.Json(await audit.ListAsync(partner, Math.Clamp(limit ?? 1000, 1, 100_000), cancellationToken), PartnersJsonContext.Default.IReadOnlyListAuditEntry);

    private static JsonHttpResult<DeliveryStatusResponse> Status(PartnerDirectory directory, ReportStore store)
    {
        var deliveries = new List<DeliveryStatus>();
        foreach (var partner in directory.All.Where(p => p.Push.Url.Length > 0))
        {
            foreach (var report in store.List(partner.Id))
            {
                var state = store.PushStateOf(report);
                var current = state is not null && state.DeliveryId == report.DeliveryId ? state : null;
                deliveries.Add(new DeliveryStatus(
                    partner.Id, report.Report, report.Window, (current?.Status ?? PushStatus.Pending).ToString(),
                    current?.Attempts ?? 0, current?.LastAttemptAt, current?.LastError, current?.DeliveredAt));
            }
        }
        return TypedResults.Json(new DeliveryStatusResponse(deliveries), PartnersJsonContext.Default.DeliveryStatusResponse);
    }

    private static async Task<Results<JsonHttpResult<RerunResponse>, ProblemHttpResult>> Rerun(
        RerunRequest request, PartnerDirectory directory, ReportGenerator generator, CancellationToken cancellationToken)
    {
        if (directory.Find(request.Partner) is not { } partner || PartnerDirectory.FindReport(partner, request.Report) is null)
        {
            return TypedResults.Problem("Unknown partner or report.", statusCode: StatusCodes.Status404NotFound);
        }
        if (request.To < request.From)
        {
            return TypedResults.Problem("'to' is before 'from'.", statusCode: StatusCodes.Status400BadRequest);
        }
        StoredReport stored;
        try
        {
            stored = await generator.GenerateAsync(partner.Id, request.Report, new ReportWindow(request.From, request.To), "operator", cancellationToken);
        }
        catch (PrivacyBudgetExceededException refused)
        {
            return TypedResults.Problem(refused.Message, statusCode: StatusCodes.Status409Conflict, title: "Privacy budget exceeded");
        }
        catch (UnpublishableWindowException refused)
        {
            return TypedResults.Problem(refused.Message, statusCode: StatusCodes.Status400BadRequest, title: "Window not publishable");
        }
        return TypedResults.Json(
            new RerunResponse(stored.Partner, stored.Report, stored.Window, stored.Rows, stored.WithheldCells, stored.Sha256),
            PartnersJsonContext.Default.RerunResponse);
    }
}
