using System.Numerics;
using Analytics.Pipeline.Privacy;

namespace Analytics.Pipeline.Tests.Privacy;

public class LinearSpanTests
{
    [Test]
    public void Whether_a_sum_follows_from_known_sums_matches_a_plain_rank_computation_for_random_sums()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var cells = random.Next(1, 12);
            var known = Enumerable.Range(0, random.Next(0, 10)).Select(_ => RandomSum(random, cells)).ToList();
            var span = new LinearSpan();
            foreach (var sum in known)
            {
                span.Add(sum);
            }
            var rank = Rank(known, cells);
            for (var c = 0; c < cells; c++)
            {
                Assert.That(span.ContainsUnit(c), Is.EqualTo(Rank([.. known, [c]], cells) == rank), $"seed {seed} round {round} cell {c}");
            }
            var target = RandomSum(random, cells);
            Assert.That(span.Contains(target), Is.EqualTo(Rank([.. known, target], cells) == rank), $"seed {seed} round {round}");
        }
    }

    private static int[] RandomSum(Random random, int cells) =>
        Enumerable.Range(0, cells).Where(_ => random.Next(3) == 0).DefaultIfEmpty(random.Next(cells)).ToArray();

    /// <summary>Rank of 0/1 rows by fraction-free elimination on a dense integer matrix.</summary>
    private static int Rank(List<int[]> sums, int cells)
    {
        var rows = sums.Select(s => Enumerable.Range(0, cells).Select(c => (BigInteger)s.Count(x => x == c)).ToArray()).ToList();
        var rank = 0;
        for (var column = 0; column < cells && rank < rows.Count; column++)
        {
            var pivot = rows.FindIndex(rank, r => !r[column].IsZero);
            if (pivot < 0)
            {
                continue;
            }
            (rows[rank], rows[pivot]) = (rows[pivot], rows[rank]);
            for (var r = rank + 1; r < rows.Count; r++)
            {
                var factor = rows[r][column];
                for (var c = 0; c < cells; c++)
                {
                    rows[r][c] = (rows[r][c] * rows[rank][column]) - (rows[rank][c] * factor);
                }
            }
            rank++;
        }
        return rank;
    }
}
