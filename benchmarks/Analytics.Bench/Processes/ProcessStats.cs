using System.Globalization;

namespace Analytics.Bench.Processes;

/// <summary>
/// CPU time and peak memory of a process and its descendants, read from /proc (Linux only).
/// A server such as nginx is a master with workers, so its cost is the sum over the tree.
/// </summary>
public static class ProcessStats
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every x86-64 and arm64 Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU seconds the process has used so far, or null once it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
        {
            return null;
        }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based, proc(5)).
        var utime = long.Parse(stat[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(stat[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>Peak resident memory (VmHWM) in bytes, or null once the process is gone.</summary>
    public static long? PeakRssBytes(int pid) => StatusValueBytes(pid, "VmHWM:");

    /// <summary>Current resident memory (VmRSS) in bytes, or null once the process is gone.</summary>
    public static long? RssBytes(int pid) => StatusValueBytes(pid, "VmRSS:");

    /// <summary>The process and all its descendants that are alive now.</summary>
    public static IReadOnlyList<int> Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ReadStat(pid) is { } stat)
            {
                parents[pid] = int.Parse(stat[1], CultureInfo.InvariantCulture);
            }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }
        return tree;
    }

    /// <summary>CPU seconds summed over the process tree.</summary>
    public static double TreeCpuSeconds(int root) => Tree(root).Sum(pid => CpuSeconds(pid) ?? 0);

    /// <summary>Peak RSS summed over the process tree (pages shared after fork are counted in each).</summary>
    public static long TreePeakRssBytes(int root) => Tree(root).Sum(pid => PeakRssBytes(pid) ?? 0);

    private static string[]? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // The command name may hold spaces and parentheses: the fields start after the last ')'.
        var close = text.LastIndexOf(')');
        return close < 0 ? null : text[(close + 2)..].Split(' ');
    }

    private static long? StatusValueBytes(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var kilobytes = long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kilobytes * 1024;
                }
            }
        }
        catch (IOException)
        {
            return null;
        }
        return null;
    }
}
