namespace Analytics.Analysts.Query;

/// <summary>A query the API refuses: the message tells the caller what to change (answered as 400).</summary>
public sealed class BadQueryException(string message) : Exception(message);
