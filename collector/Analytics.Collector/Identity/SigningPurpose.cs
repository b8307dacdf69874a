namespace Analytics.Collector.Identity;

/// <summary>What a signature is for; mixed into every tag so one kind can never stand in for another.</summary>
public enum SigningPurpose : byte
{
    VisitorCookie = 1,
    Link = 2,
    Csrf = 3,
}
