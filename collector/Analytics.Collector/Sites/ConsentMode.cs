namespace Analytics.Collector.Sites;

/// <summary>What happens to a hit whose visitor declined (DNT, Sec-GPC or the opt-out cookie).</summary>
public enum ConsentMode
{
    /// <summary>Counted with no visitor ID and no cookie.</summary>
    Anonymous,

    /// <summary>Not stored at all (counted on /metrics as ConsentDeclined).</summary>
    Drop,
}
