namespace Analytics.Collector.Enrichment.Geo;

/// <summary>The geo database is missing, unreadable or of the wrong kind; the message names the file and the way out.</summary>
public sealed class GeoDatabaseException(string message, Exception? inner = null) : Exception(message, inner);
