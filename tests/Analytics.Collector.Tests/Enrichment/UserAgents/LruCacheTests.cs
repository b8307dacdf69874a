using Analytics.Collector.Enrichment;

namespace Analytics.Collector.Tests.Enrichment.UserAgents;

public class LruCacheTests
{
    [Test]
    public void The_least_recently_used_entry_is_evicted_first()
    {
        var cache = new LruCache<string, int>(2);
        var computed = new List<string>();
        int Create(string key)
        {
            computed.Add(key);
            return key.Length;
        }

        cache.GetOrAdd("a", Create);
        cache.GetOrAdd("bb", Create);
        cache.GetOrAdd("a", Create);
        cache.GetOrAdd("ccc", Create);
        cache.GetOrAdd("a", Create);
        cache.GetOrAdd("bb", Create);

        Assert.That(computed, Is.EqualTo(new[] { "a", "bb", "ccc", "bb" }));
        Assert.That(cache.Count, Is.EqualTo(2));
    }
}
