namespace Analytics.Bench.Load;

/// <summary>
/// Asks a server for one visitor cookie per returning visitor of the mix, so returning visitors carry
/// cookies each server accepts as its own (whatever format or signature it uses).
/// </summary>
public static class CookieHarvester
{
    public static async Task<IReadOnlyList<string>> HarvestAsync(Uri baseUrl, BeaconMix mix, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 16 }) { BaseAddress = baseUrl };
        var first = mix.Requests[0];
        var cookies = new string[mix.Visitors];
        await Parallel.ForEachAsync(Enumerable.Range(0, mix.Visitors), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (visitor, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, first.PathAndQuery);
            request.Headers.TryAddWithoutValidation("User-Agent", first.UserAgent);
            using var response = await client.SendAsync(request, ct);
            cookies[visitor] = response.Headers.TryGetValues("Set-Cookie", out var values)
                ? values.First().Split(';')[0]
                : "";
        });
        return cookies;
    }
}
