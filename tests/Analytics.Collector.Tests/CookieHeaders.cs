namespace Analytics.Collector.Tests;

/// <summary>Reads Set-Cookie headers of a response.</summary>
public static class CookieHeaders
{
    public static IReadOnlyList<string> SetCookies(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    /// <summary>The value a Set-Cookie header gives <paramref name="name"/>, or null.</summary>
    public static string? SetCookieValue(this HttpResponseMessage response, string name) =>
        response.SetCookies().Where(c => c.StartsWith(name + "=", StringComparison.Ordinal))
            .Select(c => c[(name.Length + 1)..].Split(';')[0]).FirstOrDefault();
}
