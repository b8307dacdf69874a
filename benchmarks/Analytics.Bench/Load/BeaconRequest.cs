namespace Analytics.Bench.Load;

/// <summary>One beacon request of the load mix, the same for every server under test.</summary>
/// <param name="PathAndQuery">/i.gif?site=...&amp;url=... as a browser would send it.</param>
/// <param name="UserAgent">The browser's User-Agent header.</param>
/// <param name="Referer">The page the GIF is embedded in (browsers send it as Referer).</param>
/// <param name="Visitor">Index of a returning visitor in the cookie pool, or -1 for a new visitor (no cookie).</param>
public sealed record BeaconRequest(string PathAndQuery, string UserAgent, string Referer, int Visitor);
