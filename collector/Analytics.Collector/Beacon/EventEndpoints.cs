using System.Buffers;
using Analytics.Collector.Identity;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Beacon;

/// <summary>POST /e: a JSON hit or a small batch, for navigator.sendBeacon and fetch.</summary>
public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/e", Collect).ExcludeFromDescription();
        routes.MapMethods("/e", [HttpMethods.Options], Preflight).ExcludeFromDescription();
        return routes;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.NoContent Preflight(HttpContext http, SiteRegistry sites)
    {
        Cors.Allow(http, sites, preflight: true);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Collect(
        HttpContext http, HitPipeline pipeline, VisitorCookie cookie, SiteRegistry sites, CollectorMetrics metrics, IOptions<CollectorOptions> options)
    {
        Cors.Allow(http, sites, preflight: false);
        var limits = options.Value;
        var contentType = http.Request.ContentType;
        // sendBeacon sends a string as text/plain, which needs no CORS preflight.
        if (contentType is not null
            && !contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)
            && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            metrics.Rejected(DropReason.InvalidBody);
            return TypedResults.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }
        if (http.Request.ContentLength > limits.MaxBodyBytes)
        {
            metrics.Rejected(DropReason.TooLong);
            return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(limits.MaxBodyBytes + 1);
        try
        {
            int length;
            try
            {
                length = await ReadAtMostAsync(http.Request.Body, buffer.AsMemory(0, limits.MaxBodyBytes + 1), http.RequestAborted);
            }
            catch (Exception e) when (e is BadHttpRequestException or IOException)
            {
                // A malformed or cut-off body is the client's fault: never a 5xx.
                metrics.Rejected(DropReason.InvalidBody);
                return TypedResults.BadRequest();
            }
            if (length > limits.MaxBodyBytes)
            {
                metrics.Rejected(DropReason.TooLong);
                return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }
            if (EventBody.Parse(buffer.AsMemory(0, length), limits.MaxBatch) is not { } batch)
            {
                metrics.Rejected(DropReason.InvalidBody);
                return TypedResults.BadRequest();
            }

            var now = pipeline.UtcNow;
            HitContext? first = null;
            var dropped = StringValues.Empty;
            foreach (var parameters in batch)
            {
                var hit = new HitContext(http, parameters, now) { VisitorId = first?.VisitorId ?? Guid.Empty };
                var accepted = await pipeline.ProcessAsync(hit);
                first ??= accepted is { IsAnonymous: false } ? accepted : null;
                if (hit.Dropped is { } reason)
                {
                    // One entry per dropped hit of the batch, so a client can count them.
                    dropped = StringValues.Concat(dropped, BeaconEndpoints.DroppedValues[(int)reason]);
                }
            }
            if (dropped.Count > 0)
            {
                http.Response.Headers[BeaconEndpoints.DroppedHeader] = dropped;
            }
            BeaconEndpoints.IssueCookie(http, cookie, first);
            return TypedResults.NoContent();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int> ReadAtMostAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await body.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
