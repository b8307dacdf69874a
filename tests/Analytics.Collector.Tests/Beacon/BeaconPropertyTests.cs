using System.Text;

namespace Analytics.Collector.Tests.Beacon;

/// <summary>Random input, from a printed seed: the handlers answer, never with a 5xx, and never let an exception out.</summary>
public class BeaconPropertyTests
{
    private static readonly string[] Keys = ["site", "url", "ref", "t", "e", "w", "l", "p.a", "p.", "x", "%00", "site[]", "to", "sig"];
    private static readonly string[] Values = ["demo", "strict", "http://localhost/a", "https://www.example.com/", "javascript:alert(1)", "//evil", "\\\\evil", "-1", "99999999999", ""];
    private static readonly string[] JsonFragments = ["{", "}", "[", "]", ",", ":", "\"site\"", "\"demo\"", "\"url\"", "\"http://localhost/a\"", "\"p\"", "{\"a\":1}", "null", "true", "1e309", "-0", "\"\\u0000\"", "\"\\ud800\"", "\"e\""];

    [Test]
    public async Task Random_query_strings_and_bodies_never_make_a_handler_throw_or_answer_5xx()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var server = await CollectorServer.StartAsync("--RateLimit:Burst=100000");
        using var client = server.NewRawClient();

        for (var i = 0; i < 300; i++)
        {
            var query = RandomQuery(random);
            var path = random.Next(4) switch
            {
                0 => "/r/demo/spring?" + query,
                _ => "/i.gif?" + query,
            };
            using var get = await client.GetAsync(path);
            Assert.That((int)get.StatusCode, Is.LessThan(500), $"seed {seed}: GET {path}");

            var body = RandomBody(random);
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", random.Next(3) == 0 ? "application/json" : "text/plain;charset=UTF-8");
            using var post = await client.PostAsync("/e", content);
            Assert.That((int)post.StatusCode, Is.LessThan(500), $"seed {seed}: POST /e {Convert.ToBase64String(body)}");
        }
        // Disposing the server asserts that no exception escaped a handler.
    }

    private static string RandomQuery(Random random) =>
        string.Join("&", Enumerable.Range(0, random.Next(0, 8)).Select(_ =>
            Keys[random.Next(Keys.Length)] + "=" + (random.Next(2) == 0 ? Uri.EscapeDataString(Values[random.Next(Values.Length)]) : RandomEncoded(random))));

    private static string RandomEncoded(Random random)
    {
        var bytes = new byte[random.Next(0, 60)];
        random.NextBytes(bytes);
        return string.Concat(bytes.Select(b => random.Next(3) == 0 ? ((char)('a' + (b % 26))).ToString() : "%" + b.ToString("X2")));
    }

    private static byte[] RandomBody(Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                return Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => JsonFragments[random.Next(JsonFragments.Length)])));
            default:
                var hits = Enumerable.Range(0, random.Next(1, 25)).Select(_ =>
                    "{" + string.Join(",", Enumerable.Range(0, random.Next(0, 6)).Select(_ =>
                        $"\"{Keys[random.Next(Keys.Length)]}\":\"{Values[random.Next(Values.Length)].Replace("\\", "\\\\", StringComparison.Ordinal)}\"")) + "}");
                return Encoding.UTF8.GetBytes("[" + string.Join(",", hits) + "]");
        }
    }
}
