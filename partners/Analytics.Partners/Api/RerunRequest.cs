namespace Analytics.Partners.Api;

/// <summary>POST /api/partners-admin/reruns: run a definition for a past window now (stored, pushed, audited as "operator").</summary>
public sealed record RerunRequest(string Partner, string Report, DateOnly From, DateOnly To);

public sealed record RerunResponse(string Partner, string Report, string Window, int Rows, long WithheldCells, string Sha256);
