using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;

namespace Analytics.Pipeline.Tests.ClickHouse;

public class ChDbEngineTests
{
    [Test]
    public void Engine_survives_a_null_reference_exception_thrown_and_caught_after_it_started()
    {
        var before = Engine.Shared.Query("SELECT 40 + 2");

        string? nothing = null;
        Assert.Throws<NullReferenceException>(() => _ = nothing!.Length);

        Assert.That(Encoding.UTF8.GetString(before), Is.EqualTo("42\n"));
        Assert.That(Encoding.UTF8.GetString(Engine.Shared.Query("SELECT 6 * 7")), Is.EqualTo("42\n"));
    }

    [Test]
    public void The_engine_allocator_is_told_to_return_freed_memory_soon_unless_the_operator_said_otherwise()
    {
        _ = Engine.Shared.Query("SELECT 1");

        // .NET's copy of the environment is the one the process started with: the operator's value, if any.
        var expected = Environment.GetEnvironmentVariable(EngineAllocator.Variable) ?? EngineAllocator.Settings;
        Assert.That(EngineAllocator.Current(), Is.EqualTo(expected));
    }

    [Test]
    public void Bound_parameters_are_data_not_sql()
    {
        var hostile = "x' OR 1=1 --";

        var output = Engine.Shared.Query("SELECT {v:String}", "TabSeparatedRaw", new Dictionary<string, string> { ["v"] = hostile });

        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(hostile + "\n"));
    }

    [Test]
    public void A_bad_query_becomes_a_clear_exception()
    {
        var error = Assert.Throws<ClickHouseException>(() => Engine.Shared.Query("SELEC 1"));

        Assert.That(error!.Message, Does.Contain("Syntax error"));
    }

    [Test]
    public async Task Concurrent_readers_and_a_writer_share_the_engine()
    {
        var db = Engine.NewDatabase();
        await db.ExecuteAsync($"CREATE TABLE {db.Database}.n (x UInt64) ENGINE = MergeTree ORDER BY x");

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await db.InsertAsync($"{db.Database}.n", "JSONEachRow", Encoding.UTF8.GetBytes($"{{\"x\":{i}}}\n"));
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await db.QueryAsync($"SELECT count() FROM {db.Database}.n", "TabSeparated");
            }
        }));
        await Task.WhenAll(readers.Append(writer));

        var count = Encoding.UTF8.GetString(await db.QueryAsync($"SELECT count(), sum(x) FROM {db.Database}.n", "TabSeparated"));
        Assert.That(count, Is.EqualTo("50\t1225\n"));
    }

    [Test]
    public async Task Concurrent_parameterized_queries_each_get_their_own_parameters()
    {
        // Seen on chDB 26.5 (analysts' dashboard): without serialization, parameters of concurrent queries were swapped.
        var wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                var value = $"{worker}-{i}";
                try
                {
                    var output = Encoding.UTF8.GetString(Engine.Shared.Query("SELECT {v:String}, {w:String}", "TabSeparated",
                        new Dictionary<string, string> { ["v"] = value, ["w"] = value }));
                    if (output != $"{value}\t{value}\n")
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (ClickHouseException)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })));

        Assert.That(wrong, Is.Zero);
    }
}
