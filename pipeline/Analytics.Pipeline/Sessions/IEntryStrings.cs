namespace Analytics.Pipeline.Sessions;

/// <summary>A group of an entry hit's fields held as string ids (<see cref="EntrySource"/>, <see cref="EntryPlace"/>, <see cref="EntryDevice"/>).</summary>
internal interface IEntryStrings
{
    /// <summary>Lets go of one holder of each of its strings.</summary>
    void Release(RefCountedTable<string> strings);
}
