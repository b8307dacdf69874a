using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Prometheus;

namespace Analytics.Pipeline.Tests;

/// <summary>A registry's metrics as a scrape reads them, and one sample's value out of that text.</summary>
internal static class MetricsText
{
    public static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static double Sample(string text, string name)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(name) + " (\\S+)$", RegexOptions.Multiline);
        Assert.That(match.Success, Is.True, $"{name} is not exported");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
