namespace Analytics.Partners.Configuration;

/// <summary>A partner's push endpoint and the shared secret its HMAC signatures are made with.</summary>
public sealed record PushTarget
{
    /// <summary>HTTPS URL; plain HTTP is accepted only for a loopback address (local testing).</summary>
    public string Url { get; init; } = "";

    /// <summary>Shared secret for the X-Analytics-Signature header (at least 32 characters; keep it out of source control).</summary>
    public string Secret { get; init; } = "";
}
