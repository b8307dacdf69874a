using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Analytics.Collector.Enrichment.UserAgents;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics ua`: classifies user-agents read from stdin, one per line, and prints one JSON line each,
/// with uap-core's field names plus the device type and bot flag (absent values are null).
/// </summary>
public static class UaCommand
{
    public static Command Create()
    {
        var command = new Command("ua", "Read user-agents from stdin (one per line); print browser, OS, device and bot flag as one JSON line each.");
        command.SetAction((_, cancellationToken) => RunAsync(Console.In, Console.Out, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var classifier = UserAgentClassifier.Create(new UserAgentOptions { MaxLength = 8192 });
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer);
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            buffer.ResetWrittenCount();
            json.Reset();
            Write(json, classifier.Describe(line));
            json.Flush();
            await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
            await output.FlushAsync(cancellationToken);
        }
        return 0;
    }

    internal static void Write(Utf8JsonWriter json, ClientDescription client)
    {
        var (ua, os, device) = client.Parsed;
        json.WriteStartObject();
        json.WriteStartObject("ua");
        json.WriteString("family", ua.Family);
        json.WriteString("major", ua.Major);
        json.WriteString("minor", ua.Minor);
        json.WriteString("patch", ua.Patch);
        json.WriteEndObject();
        json.WriteStartObject("os");
        json.WriteString("family", os.Family);
        json.WriteString("major", os.Major);
        json.WriteString("minor", os.Minor);
        json.WriteString("patch", os.Patch);
        json.WriteString("patch_minor", os.PatchMinor);
        json.WriteEndObject();
        json.WriteStartObject("device");
        json.WriteString("family", device.Family);
        json.WriteString("brand", device.Brand);
        json.WriteString("model", device.Model);
        json.WriteString("type", client.DeviceType);
        json.WriteEndObject();
        json.WriteBoolean("bot", client.IsBot);
        json.WriteEndObject();
    }
}
