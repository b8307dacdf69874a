using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Tests.Sessions;

public class RefCountedTableTests
{
    [Test]
    public void Equal_values_get_one_id_and_the_stored_instance()
    {
        var table = new RefCountedTable<string>("");
        var first = new string("Firefox".AsSpan());
        var second = new string("Firefox".AsSpan());

        var a = table.Acquire(first);
        var b = table.Acquire(second);

        Assert.That(b, Is.EqualTo(a));
        Assert.That(table[b], Is.SameAs(first));
        Assert.That(table.HoldersOf(a), Is.EqualTo(2));
        Assert.That(table.Count, Is.EqualTo(1));
    }

    [Test]
    public void The_zero_value_is_id_zero_and_never_counted()
    {
        var table = new RefCountedTable<string>("");

        Assert.That(table.Acquire(""), Is.Zero);
        Assert.That(table.Release(0), Is.False);
        Assert.That(table[0], Is.Empty);
        Assert.That(table.Count, Is.Zero);
    }

    [Test]
    public void A_value_is_let_go_with_its_last_holder_and_its_id_is_reused()
    {
        var table = new RefCountedTable<string>("");
        var id = table.Acquire("/a");
        table.Acquire("/a");

        Assert.That(table.Release(id), Is.False, "one holder is left");
        Assert.That(table.Find("/a"), Is.EqualTo(id));
        Assert.That(table.Release(id), Is.True);
        Assert.That(table.Find("/a"), Is.EqualTo(-1));
        Assert.That(table.Count, Is.Zero);
        Assert.That(table.Acquire("/b"), Is.EqualTo(id), "the freed id serves the next value");
        Assert.That(table[id], Is.EqualTo("/b"));
    }

    [Test]
    public void Find_counts_no_holder()
    {
        var table = new RefCountedTable<string>("");
        var id = table.Acquire("DE");

        Assert.That(table.Find("DE"), Is.EqualTo(id));
        Assert.That(table.HoldersOf(id), Is.EqualTo(1));
        Assert.That(table.Find("FR"), Is.EqualTo(-1));
    }

    [Test]
    public void Many_values_acquired_and_released_in_random_order_keep_their_ids_and_counts()
    {
        var seed = TestContext.CurrentContext.Random.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var table = new RefCountedTable<string>("", capacity: 2);
        var held = new List<(int Id, string Value)>();

        for (var step = 0; step < 50_000; step++)
        {
            if (held.Count > 0 && random.Next(3) == 0)
            {
                var index = random.Next(held.Count);
                var (id, value) = held[index];
                held.RemoveAt(index);
                Assert.That(table[id], Is.EqualTo(value));
                Assert.That(table.Release(id), Is.EqualTo(!held.Exists(h => h.Id == id)));
            }
            else
            {
                var value = "/page/" + random.Next(2_000);
                var existing = held.FindIndex(h => h.Value == value);
                var id = table.Acquire(value);
                if (existing >= 0)
                {
                    Assert.That(id, Is.EqualTo(held[existing].Id), "a held value keeps its id");
                }
                held.Add((id, value));
            }
        }
        Assert.That(table.Count, Is.EqualTo(held.Select(h => h.Value).Distinct().Count()));
        foreach (var group in held.GroupBy(h => h.Id))
        {
            Assert.That(table.HoldersOf(group.Key), Is.EqualTo(group.Count()));
            Assert.That(group.Select(h => h.Value).Distinct().Single(), Is.EqualTo(table[group.Key]));
        }
    }
}
