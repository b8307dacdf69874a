namespace Analytics.Partners.Configuration;

public enum Cadence
{
    Daily,
    Weekly,
    Monthly,
}
