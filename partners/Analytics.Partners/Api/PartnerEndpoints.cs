using Analytics.Partners.Audit;
using Analytics.Partners.Configuration;
using Analytics.Partners.Reports;
using Analytics.Partners.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Partners.Api;

/// <summary>
/// Pull endpoints under /api/partners/{partner}: a partner lists and downloads its own reports with its key as a
/// bearer token. An unknown partner and a wrong key get the same 401, so ids cannot be probed; the store is
/// only ever addressed with the authenticated partner's id and a configured report id.
/// </summary>
public static class PartnerEndpoints
{
    public static IEndpointRouteBuilder MapPartnerPull(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/partners/{partnerId}").WithTags("Partner reports");
        group.MapGet("/reports", ListReports)
            .WithName("ListPartnerReports")
            .WithSummary("The partner's reports: windows, rows, withheld cells, checksums and download links.")
            .Produces<ReportListing>()
            .Produces(StatusCodes.Status401Unauthorized);
        group.MapGet("/reports/{reportId}/{window}", Download)
            .WithName("DownloadPartnerReport")
            .WithSummary("One report file, as generated (CSV, JSON lines or Parquet).")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status401Unauthorized);
        return routes;
    }

    private static Results<JsonHttpResult<ReportListing>, UnauthorizedHttpResult> ListReports(
        string partnerId, HttpContext context, PartnerDirectory directory, ReportStore store)
    {
        if (Authenticate(context, directory, partnerId) is not { } partner)
        {
            return Unauthorized(context);
        }
        var items = store.List(partner.Id).Select(r =>
        {
            var push = partner.Push.Url.Length > 0 ? store.PushStateOf(r) : null;
            return new ReportListingItem(
                r.Report, r.Window, r.FileName, r.ContentType, r.Rows, r.WithheldCells, r.Sha256, r.Bytes, r.GeneratedAt,
                $"/api/partners/{partner.Id}/reports/{r.Report}/{r.Window}",
                partner.Push.Url.Length == 0 ? null : (push?.DeliveryId == r.DeliveryId ? push.Status.ToString() : "Pending"),
                push?.Attempts, push?.LastError, r.Privacy);
        }).ToList();
        return TypedResults.Json(new ReportListing(partner.Id, items), PartnersJsonContext.Default.ReportListing);
    }

    private static async Task<Results<PhysicalFileHttpResult, NotFound, UnauthorizedHttpResult>> Download(
        string partnerId, string reportId, string window, HttpContext context, PartnerDirectory directory, ReportStore store, AuditLog audit,
        TimeProvider time)
    {
        if (Authenticate(context, directory, partnerId) is not { } partner)
        {
            return Unauthorized(context);
        }
        if (PartnerDirectory.FindReport(partner, reportId) is not { } report || !ReportWindow.TryParseName(window, out var parsed)
            || store.Find(partner.Id, report.Id, parsed.Name) is not { } stored)
        {
            return TypedResults.NotFound();
        }
        await audit.AppendAsync(new AuditEntry
        {
            At = time.GetUtcNow(),
            Action = AuditActions.Downloaded,
            Actor = "partner:" + partner.Id,
            Partner = partner.Id,
            Report = stored.Report,
            Window = stored.Window,
            Rows = stored.Rows,
            WithheldCells = stored.WithheldCells,
            Sha256 = stored.Sha256,
            Detail = stored.FileName,
        }, context.RequestAborted);
        context.Response.Headers["X-Analytics-Sha256"] = stored.Sha256;
        return TypedResults.PhysicalFile(store.PathOf(stored), stored.ContentType, stored.FileName);
    }

    private static PartnerOptions? Authenticate(HttpContext context, PartnerDirectory directory, string partnerId)
    {
        var partner = directory.Find(partnerId);
        var key = PartnerKeys.BearerToken(context.Request.Headers.Authorization);
        // The hash is compared even for an unknown partner, so both cases take the same time.
        var matches = PartnerKeys.Matches(key, partner?.KeySha256 ?? new string('0', 64));
        return partner is not null && matches ? partner : null;
    }

    private static UnauthorizedHttpResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Unauthorized();
    }
}
