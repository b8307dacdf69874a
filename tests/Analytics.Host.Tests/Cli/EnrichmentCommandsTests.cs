using Analytics.Host.Cli;

namespace Analytics.Host.Tests.Cli;

public class EnrichmentCommandsTests
{
    [Test]
    public async Task Ua_prints_one_json_line_per_input_with_uap_field_names()
    {
        var input = new StringReader("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1\n"
            + "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\n");
        var output = new StringWriter();

        var status = await UaCommand.RunAsync(input, output, CancellationToken.None);

        Assert.That(status, Is.Zero);
        Assert.That(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            """{"ua":{"family":"Mobile Safari","major":"17","minor":"6","patch":null},"os":{"family":"iOS","major":"17","minor":"6","patch":"1","patch_minor":null},"device":{"family":"iPhone","brand":"Apple","model":"iPhone","type":"mobile"},"bot":false}""",
            """{"ua":{"family":"Googlebot","major":"2","minor":"1","patch":null},"os":{"family":"Other","major":null,"minor":null,"patch":null,"patch_minor":null},"device":{"family":"Spider","brand":"Spider","model":"Desktop","type":"bot"},"bot":true}""",
        }));
    }

    [Test]
    public async Task Geo_prints_iso_codes_and_the_english_city_or_null()
    {
        var input = new StringReader("81.2.69.160\n2001:218::1\n192.168.1.1\nnot an address\n");
        var output = new StringWriter();

        var status = await GeoCommand.RunAsync(TestDatabase("GeoIP2-City-Test.mmdb"), input, output, TextWriter.Null, CancellationToken.None);

        Assert.That(status, Is.Zero);
        Assert.That(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            """{"ip":"81.2.69.160","country":"GB","region":"GB-ENG","city":"London"}""",
            """{"ip":"2001:218::1","country":"JP","region":null,"city":null}""",
            """{"ip":"192.168.1.1","country":null,"region":null,"city":null}""",
            """{"ip":"not an address","country":null,"region":null,"city":null}""",
        }));
    }

    [Test]
    public async Task Geo_with_a_corrupt_database_says_so_and_fails()
    {
        var error = new StringWriter();

        var status = await GeoCommand.RunAsync(TestDatabase("bad-invalid-data-record-offset.mmdb"), new StringReader("1.1.1.1\n"), TextWriter.Null, error, CancellationToken.None);

        Assert.That(status, Is.EqualTo(1));
        Assert.That(error.ToString(), Does.Contain("bad-invalid-data-record-offset.mmdb"));
    }

    private static string TestDatabase(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "data", "geoip", file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"tests/data/geoip/{file} not found above {AppContext.BaseDirectory}");
    }
}
