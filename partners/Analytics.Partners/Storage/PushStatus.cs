namespace Analytics.Partners.Storage;

/// <summary>Where one delivery stands. Once <see cref="Delivered"/>, it is never sent again.</summary>
public enum PushStatus
{
    Pending,
    Failing,
    Delivered,
}
