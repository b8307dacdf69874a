namespace Analytics.Pipeline.Spool;

/// <summary>One record read back from the spool; <see cref="End"/> is what to acknowledge once it is shipped.</summary>
public readonly record struct SpoolRecord(byte[] Payload, SpoolPosition End);
