namespace Analytics.Pipeline.Sessions;

/// <summary>What an <see cref="OpenVisit"/> slot holds, besides its fields.</summary>
[Flags]
internal enum OpenVisitFlags : byte
{
    None = 0,

    /// <summary>The slot holds a visit.</summary>
    Used = 1,

    /// <summary>A bot's visit (part of the key: a bot never joins a human visit).</summary>
    Bot = 2,

    /// <summary>Changed in the batch being tracked.</summary>
    Dirty = 4,

    /// <summary>Its entry changed in the batch being tracked (a new visit, or a late hit became the entry).</summary>
    EntryChanged = 8,

    /// <summary>Its entry is a late hit, not the first one: the entry's hit ID is kept aside (it differs from the session ID).</summary>
    LateEntry = 16,

    /// <summary>The entry hit's visitor was new (its <see cref="Hits.Hit.IsNewVisitor"/>).</summary>
    NewVisitor = 32,
}
