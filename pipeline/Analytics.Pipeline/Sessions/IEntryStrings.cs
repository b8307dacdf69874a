namespace Analytics.Pipeline.Sessions;

/// <summary>A group of an entry hit's fields held as string ids (<see cref="EntrySource"/>, <see cref="EntryPlace"/>, <see cref="EntryDevice"/>).</summary>
internal interface IEntryStrings
{
    /// <summary>False when a string of it was not held when it was found (its ids are then not all valid).</summary>
    bool IsKnown { get; }

    /// <summary>Counts one more holder of each of its strings.</summary>
    void Hold(RefCountedTable<string> strings);

    /// <summary>Lets go of one holder of each of its strings.</summary>
    void Release(RefCountedTable<string> strings);
}
