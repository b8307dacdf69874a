namespace Analytics.Collector.Visitors;

/// <summary>
/// What is kept under one visitor ID, for the visitor's own pages (/me/data, /me/erase). The collector knows no
/// storage: the host wires this to wherever hits are stored (a collector without storage has none, and answers 503).
/// </summary>
public interface IVisitorData
{
    /// <summary>The visitor's hits and visits, each as JSON lines (one object a line).</summary>
    /// <exception cref="VisitorDataUnavailableException">Storage cannot answer now.</exception>
    Task<(byte[] Hits, byte[] Visits)> ExportAsync(Guid visitorId, CancellationToken cancellationToken);

    /// <summary>Deletes everything kept under the visitor ID.</summary>
    /// <exception cref="VisitorDataUnavailableException">Storage cannot do it now.</exception>
    Task EraseAsync(Guid visitorId, CancellationToken cancellationToken);
}

/// <summary>Storage could not answer for a visitor's data just now; the page says to try again later.</summary>
public sealed class VisitorDataUnavailableException(string message, Exception inner) : Exception(message, inner);
