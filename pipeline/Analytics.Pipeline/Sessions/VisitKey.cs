namespace Analytics.Pipeline.Sessions;

/// <summary>Whose visit: a visitor on one site, humans and bots apart (a bot never joins a human visit).</summary>
internal readonly record struct VisitKey(string SiteId, Guid VisitorId, bool IsBot);
