using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Tests.Sessions;

public class OpenVisitTableTests
{
    [Test]
    public void Visits_are_found_by_site_visitor_and_bot_across_chunk_growth_and_rehashing()
    {
        var table = new OpenVisitTable();
        var visitors = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToArray();

        var slots = visitors.Select((visitor, i) => table.Add(siteId: i % 3, visitor, isBot: i % 2 == 0)).ToArray();
        for (var i = 0; i < slots.Length; i++)
        {
            table[slots[i]].Hits = (uint)i;
        }

        Assert.That(table.Count, Is.EqualTo(visitors.Length));
        for (var i = 0; i < visitors.Length; i++)
        {
            var slot = table.Find(i % 3, visitors[i], i % 2 == 0);
            Assert.That(slot, Is.EqualTo(slots[i]));
            Assert.That(table[slot].Hits, Is.EqualTo((uint)i));
            Assert.That(table.Find((i + 1) % 3, visitors[i], i % 2 == 0), Is.EqualTo(-1), "another site");
            Assert.That(table.Find(i % 3, visitors[i], i % 2 != 0), Is.EqualTo(-1), "bot and human apart");
        }
    }

    [Test]
    public void A_removed_visit_is_gone_its_neighbours_stay_and_its_slot_is_reused()
    {
        var table = new OpenVisitTable();
        var visitors = Enumerable.Range(0, 1_000).Select(_ => Guid.NewGuid()).ToArray();
        var slots = visitors.Select(v => table.Add(1, v, false)).ToArray();

        // Every other one: removes heads, middles and tails of the bucket chains.
        for (var i = 0; i < visitors.Length; i += 2)
        {
            table.Remove(slots[i]);
        }

        Assert.That(table.Count, Is.EqualTo(500));
        for (var i = 0; i < visitors.Length; i++)
        {
            Assert.That(table.Find(1, visitors[i], false), Is.EqualTo(i % 2 == 0 ? -1 : slots[i]));
        }
        var reused = table.Add(1, Guid.NewGuid(), false);
        Assert.That(slots.Where((_, i) => i % 2 == 0), Does.Contain(reused));
        Assert.That(table.End, Is.EqualTo(1_000), "no new slot while freed ones are left");
    }
}
