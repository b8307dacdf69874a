namespace Analytics.Host.Tests.Architecture;

/// <summary>
/// Inside each product assembly the folders (namespaces) depend on each other one way only: no folder is reached
/// back from one it uses, directly or through others. docs/architecture.md draws the arrows this keeps.
/// </summary>
public class FolderCycleTests
{
    /// <summary>Each product assembly, by its composition root (the XxxServices class in the root namespace).</summary>
    private static readonly Type[] Roots =
    [
        typeof(Analytics.Pipeline.PipelineServices),
        typeof(Analytics.Collector.CollectorServices),
        typeof(Analytics.Analysts.AnalystsServices),
        typeof(Analytics.Partners.PartnersServices),
        typeof(EmbeddedHost),
    ];

    [TestCaseSource(nameof(Roots))]
    public void No_folder_of_the_assembly_is_part_of_a_dependency_cycle(Type root)
    {
        // A folder is a first-level folder of the project (Enrichment/Geo counts as Enrichment). The root namespace
        // composes the folders (services, options, endpoint maps, the step list): it may use them all and is left
        // out.
        var prefix = root.Namespace + ".";
        string FolderOf(string ns) => ns.StartsWith(prefix, StringComparison.Ordinal) ? prefix + ns[prefix.Length..].Split('.')[0] : ns;
        var edges = NamespaceDependencies.Of(root.Assembly, FolderOf)
            .Where(e => e.Key.From != root.Namespace && e.Key.To != root.Namespace)
            .ToDictionary();

        // Each cycle, then every use between the folders it joins (any of them may be the one to turn around).
        var cycles = Cycles(edges.Keys).Select(c => string.Join(" -> ", c.Cycle.Append(c.Cycle[0])) + "\n    "
            + string.Join("\n    ", edges.Where(e => c.Set.Contains(e.Key.From) && c.Set.Contains(e.Key.To)).Select(e => e.Value).Order(StringComparer.Ordinal))).ToList();

        Assert.That(cycles, Is.Empty, "folder cycles:\n" + string.Join("\n", cycles));
    }

    [Test]
    public void The_collector_uses_no_storage_or_ClickHouse_type()
    {
        var used = NamespaceDependencies.UsedNamespaces(typeof(Analytics.Collector.CollectorServices).Assembly);

        var storage = used.Where(u => u.Key.StartsWith("Analytics.Pipeline.Storage", StringComparison.Ordinal)
            || u.Key.StartsWith("Analytics.Pipeline.ClickHouse", StringComparison.Ordinal)
            || u.Key.StartsWith("ClickHouse", StringComparison.Ordinal)).Select(u => u.Value);

        Assert.That(storage, Is.Empty, "a collector needs no database: visitors' data goes through IVisitorData, which the host wires");
    }

    [Test]
    public void The_check_finds_a_cycle_between_two_folders()
    {
        (string, string)[] edges = [("A.Storage", "A.Sessions"), ("A.Sessions", "A.Hits"), ("A.Sessions", "A.Storage"), ("A.Hits", "A.Core")];

        Assert.That(Cycles(edges).Select(c => c.Cycle), Is.EqualTo(new[] { new[] { "A.Sessions", "A.Storage" } }));
    }

    /// <summary>Each strongly connected set of namespaces (Tarjan) and one shortest cycle through it, starting at its smallest name.</summary>
    internal static List<(List<string> Cycle, HashSet<string> Set)> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().Order(StringComparer.Ordinal).ToList());
        var nodes = next.Keys.Concat(next.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var sets = new List<List<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.TryGetValue(to, out var seen))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (stack.Contains(to))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }
            if (low[node] == index[node])
            {
                var set = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    set.Add(member);
                }
                while (member != node);
                if (set.Count > 1)
                {
                    sets.Add(set);
                }
            }
        }
        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }
        return sets.Select(set => (ShortestCycle(set.Min(StringComparer.Ordinal)!, set.ToHashSet(), next), set.ToHashSet())).ToList();
    }

    /// <summary>Breadth-first from <paramref name="start"/> back to itself inside <paramref name="set"/>.</summary>
    private static List<string> ShortestCycle(string start, HashSet<string> set, Dictionary<string, List<string>> next)
    {
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var to in (next.GetValueOrDefault(node) ?? []).Where(set.Contains))
            {
                if (to == start)
                {
                    var path = new List<string> { node };
                    while (path[^1] != start)
                    {
                        path.Add(previous[path[^1]]);
                    }
                    path.Reverse();
                    return path;
                }
                if (previous.TryAdd(to, node))
                {
                    queue.Enqueue(to);
                }
            }
        }
        return [start];
    }
}
