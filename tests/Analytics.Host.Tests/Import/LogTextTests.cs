using System.Security.Cryptography;
using System.Text;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

public class LogTextTests
{
    [Test]
    public void A_text_fed_in_any_pieces_digests_through_its_last_full_line_and_each_prefix_asked_about()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var lines = Enumerable.Range(0, 200).Select(i => $"line {i} " + new string('x', random.Next(0, 120))).ToList();
        var text = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")) + "a line still being wri");
        var fullLines = text.Length - "a line still being wri".Length;
        // Where earlier imports' texts ended (line ends), one beyond the text, and one that is not a line end.
        long[] asked = [Encoding.UTF8.GetByteCount(lines[0] + "\n"), Encoding.UTF8.GetByteCount(string.Concat(lines.Take(120).Select(l => l + "\n"))), fullLines, text.Length + 50, 7];

        using var digest = new LogText.Digest(asked);
        for (var at = 0; at < text.Length;)
        {
            var piece = Math.Min(text.Length - at, random.Next(1, 300));
            digest.Append(text.AsSpan(at, piece));
            at += piece;
        }

        Assert.That(digest.Result(), Is.EqualTo(new LogText(fullLines, lines.Count, Sha(text[..fullLines]))));
        Assert.That(digest.Prefixes, Is.EquivalentTo(asked.Where(n => n <= fullLines).ToDictionary(n => n, n => Sha(text[..(int)n]))));
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
