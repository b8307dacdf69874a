namespace Analytics.Collector.Sites;

/// <summary>
/// Changes to the managed registry (<see cref="SitesOptions.StorePath"/>), shared by `analytics site` and the
/// admin API, in this process or another: each change takes a lock file, reads the list in force (the seed
/// until the first change), checks the changed site, appends its audit line and writes the whole list durably.
/// A running host follows the file (<see cref="SiteRegistry"/>).
/// </summary>
public sealed class SiteStore
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private readonly SitesOptions _configured;
    private readonly TimeProvider _time;

    public SiteStore(SitesOptions configured, TimeProvider? time = null)
    {
        _configured = configured;
        _time = time ?? TimeProvider.System;
        Path = configured.StorePath is { Length: > 0 } store ? System.IO.Path.GetFullPath(store) : null;
    }

    /// <summary>The managed registry's file, or null when none is configured (changes are then refused).</summary>
    public string? Path { get; }

    /// <summary>The sites in force: the managed registry's, or the seed's until its first change.</summary>
    public IReadOnlyList<SiteOptions> List() => SitesFile.Current(_configured with { StorePath = Path ?? "" }).Sites;

    public SiteOptions? Find(string id) => List().FirstOrDefault(s => s.Id == id);

    /// <summary>Registers a site; throws <see cref="SiteChangeException"/> saying what is wrong.</summary>
    public SiteOptions Add(string id, SitePatch settings, string actor) => Change(actor, "add", id, sites =>
    {
        if (sites.Any(s => s.Id == id))
        {
            throw new SiteChangeException($"site '{id}' is already registered (change it with set)");
        }
        return (null, settings.ApplyTo(new SiteOptions { Id = id }));
    })!;

    /// <summary>Changes the settings <paramref name="patch"/> gives; the others stay.</summary>
    public SiteOptions Set(string id, SitePatch patch, string actor) => Change(actor, "set", id, sites =>
    {
        var before = sites.FirstOrDefault(s => s.Id == id) ?? throw new SiteChangeException($"no site '{id}' is registered", notFound: true);
        return (before, patch.ApplyTo(before));
    })!;

    /// <summary>Unregisters a site: its beacons are rejected from then on; stored data stays until its retention ends.</summary>
    public void Remove(string id, string actor) => Change(actor, "remove", id, sites =>
        (sites.FirstOrDefault(s => s.Id == id) ?? throw new SiteChangeException($"no site '{id}' is registered", notFound: true), null));

    private SiteOptions? Change(string actor, string action, string id, Func<IReadOnlyList<SiteOptions>, (SiteOptions? Before, SiteOptions? After)> change)
    {
        if (Path is null)
        {
            throw new SiteChangeException("no managed sites registry is configured (Sites:StorePath is empty)");
        }
        using var held = TakeLock(Path);
        var sites = List();
        var (before, after) = change(sites);
        if (after is not null && after.Problems().ToList() is { Count: > 0 } problems)
        {
            throw new SiteChangeException($"site '{id}': {string.Join("; ", problems)}");
        }
        var list = sites.Where(s => s.Id != id).ToList();
        if (after is not null)
        {
            var at = sites.ToList().FindIndex(s => s.Id == id);
            list.Insert(at < 0 ? list.Count : at, after);
        }
        var changes = SiteAudit.Changes(before, after);
        if (before is not null && after is not null && changes.Count == 0)
        {
            return after;
        }
        SiteAudit.Append(Path, new SiteAuditEntry { At = _time.GetUtcNow(), Actor = actor, Action = action, Site = id, Changes = changes });
        SitesFile.Write(Path, list);
        return after;
    }

    /// <summary>An exclusive lock file beside the registry, so two writers (the CLI and the host) never interleave.</summary>
    private static FileStream TakeLock(string path)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var until = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(20);
            }
        }
    }
}

/// <summary>A site change that cannot be made as asked; the message says why, on one line.</summary>
public sealed class SiteChangeException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}
