using Analytics.Partners.Reports;
using Analytics.Partners.Storage;

namespace Analytics.Partners.Api;

/// <summary>GET /api/partners/{partner}/reports: the partner's generated reports, newest window first.</summary>
public sealed record ReportListing(string Partner, IReadOnlyList<ReportListingItem> Reports);

/// <summary>One generated report; <see cref="Url"/> downloads it. Push fields are null for a pull-only partner; Privacy is null under k-suppression.</summary>
public sealed record ReportListingItem(
    string Report,
    string Window,
    string FileName,
    string ContentType,
    int Rows,
    long WithheldCells,
    string Sha256,
    long Bytes,
    DateTimeOffset GeneratedAt,
    string Url,
    string? PushStatus,
    int? PushAttempts,
    string? PushLastError,
    DpParameters? Privacy);
