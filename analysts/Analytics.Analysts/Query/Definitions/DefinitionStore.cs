using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Analytics.Analysts.Query;

/// <summary>
/// Goals and segments of every site in one JSON file next to the keys file, shared by the running host
/// and the `analytics goal` command. The host re-reads it when it changes; writes go through a temporary
/// file and a rename, so a reader never sees half a file.
/// </summary>
public sealed class DefinitionStore(string path)
{
    /// <summary>Most goals, and most segments, one site may have: each goal is one query of the Goals panel.</summary>
    public const int MaxPerSite = 50;

    /// <summary>Longest goal or segment name, path pattern, event or property text.</summary>
    public const int MaxText = 200;

    private readonly Lock _lock = new();
    private (DateTime Written, long Length) _loadedVersion;
    private DefinitionsFile _current = new();

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public IReadOnlyList<Goal> GoalsOf(string site) => Current().Goals.Where(g => g.Site == site).ToList();

    public IReadOnlyList<Segment> SegmentsOf(string site) => Current().Segments.Where(s => s.Site == site).ToList();

    public Goal? FindGoal(string site, string name) => Current().Goals.FirstOrDefault(g => g.Site == site && g.Name == name);

    public Segment? FindSegment(string site, string nameOrId) =>
        Current().Segments.FirstOrDefault(s => s.Site == site && (s.Name == nameOrId || s.Id == nameOrId));

    /// <summary>Adds a goal, or throws <see cref="DefinitionException"/> saying what is wrong with it.</summary>
    public Goal AddGoal(string site, string name, string? path, string? eventName, string? propertyName, string? propertyValue)
    {
        CheckText(name, "name", required: true);
        CheckText(path, "path", required: false);
        CheckText(eventName, "event", required: false);
        CheckText(propertyName, "property name", required: false);
        CheckText(propertyValue, "property value", required: false);
        if ((path is null) == (eventName is null))
        {
            throw new DefinitionException("A goal is either a page path pattern (path) or a custom event name (event), not both.");
        }
        if (path is not null && !path.StartsWith('/'))
        {
            throw new DefinitionException("A page goal's path starts with '/' (use * for any characters, e.g. /blog/*).");
        }
        if ((propertyName is null) != (propertyValue is null))
        {
            throw new DefinitionException("A property match needs both a property name and a value.");
        }
        var goal = new Goal
        {
            Id = NewId("g_"),
            Site = site,
            Name = name,
            Path = path,
            EventName = eventName,
            PropertyName = propertyName,
            PropertyValue = propertyValue,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        Update(file =>
        {
            if (file.Goals.Any(g => g.Site == site && g.Name == name))
            {
                throw new DefinitionException($"The site already has a goal named '{name}'.");
            }
            if (file.Goals.Count(g => g.Site == site) >= MaxPerSite)
            {
                throw new DefinitionException($"A site may have at most {MaxPerSite} goals.");
            }
            file.Goals.Add(goal);
        });
        return goal;
    }

    /// <summary>Removes a goal by id or name; false when the site has none such.</summary>
    public bool RemoveGoal(string site, string idOrName)
    {
        var removed = false;
        Update(file => removed = file.Goals.RemoveAll(g => g.Site == site && (g.Id == idOrName || g.Name == idOrName)) > 0);
        return removed;
    }

    /// <summary>Saves a segment (replacing one of the same name), or throws <see cref="DefinitionException"/>.</summary>
    public Segment SaveSegment(string site, string name, JsonElement filters)
    {
        CheckText(name, "name", required: true);
        if (filters.ValueKind != JsonValueKind.Array || filters.GetArrayLength() == 0)
        {
            throw new DefinitionException("A segment's filters are a non-empty array of filter expressions.");
        }
        var segment = new Segment { Id = NewId("s_"), Site = site, Name = name, Filters = filters.Clone(), CreatedAt = DateTimeOffset.UtcNow };
        Update(file =>
        {
            var existing = file.Segments.FindIndex(s => s.Site == site && s.Name == name);
            if (existing >= 0)
            {
                segment = segment with { Id = file.Segments[existing].Id };
                file.Segments[existing] = segment;
                return;
            }
            if (file.Segments.Count(s => s.Site == site) >= MaxPerSite)
            {
                throw new DefinitionException($"A site may have at most {MaxPerSite} segments.");
            }
            file.Segments.Add(segment);
        });
        return segment;
    }

    public bool RemoveSegment(string site, string idOrName)
    {
        var removed = false;
        Update(file => removed = file.Segments.RemoveAll(s => s.Site == site && (s.Id == idOrName || s.Name == idOrName)) > 0);
        return removed;
    }

    private static void CheckText(string? value, string what, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                throw new DefinitionException($"The {what} is required.");
            }
            return;
        }
        if (value.Length == 0 || value.Length > MaxText || value.Any(char.IsControl))
        {
            throw new DefinitionException($"The {what} must be 1 to {MaxText} characters of text.");
        }
    }

    private static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private DefinitionsFile Current()
    {
        var info = new FileInfo(Path);
        var version = info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        lock (_lock)
        {
            if (version != _loadedVersion)
            {
                _current = Read();
                _loadedVersion = version;
            }
            return _current;
        }
    }

    private DefinitionsFile Read()
    {
        if (!File.Exists(Path))
        {
            return new DefinitionsFile();
        }
        using var stream = File.OpenRead(Path);
        return JsonSerializer.Deserialize(stream, DefinitionsJsonContext.Default.DefinitionsFile) ?? new DefinitionsFile();
    }

    private void Update(Action<DefinitionsFile> change)
    {
        lock (_lock)
        {
            var file = Read();
            change(file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temporary = Path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(file, DefinitionsJsonContext.Default.DefinitionsFile), new UTF8Encoding(false));
            File.Move(temporary, Path, overwrite: true);
            _loadedVersion = default;
        }
    }
}

/// <summary>A goal or segment that cannot be saved as given; the message says why.</summary>
public sealed class DefinitionException(string message) : Exception(message);
