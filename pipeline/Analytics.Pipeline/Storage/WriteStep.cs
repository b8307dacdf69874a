namespace Analytics.Pipeline.Storage;

/// <summary>An insert of a batch's write done, after which a fault can be injected (<see cref="HitStore.WriteAsync(PreparedWrite, CancellationToken, Func{WriteStep, Task})"/>).</summary>
public enum WriteStep
{
    /// <summary>The visits insert, before the hits insert.</summary>
    Visits,

    /// <summary>The hits insert, before the batch is recorded stored (its ledger row).</summary>
    Hits,
}
