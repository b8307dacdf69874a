using System.CommandLine;
using System.Globalization;
using Analytics.Partners.Api;
using Analytics.Partners.Audit;
using Analytics.Partners.Configuration;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Analytics.Host.Cli;

/// <summary>`analytics partners key|audit`: make a partner (or operator) key; list the audit of report generations, downloads and pushes.</summary>
public static class PartnersCommand
{
    public static Command Create() => new("partners", "Partner reports: keys and the audit log.")
    {
        Key(),
        Audit(),
    };

    private static Command Key()
    {
        var command = new Command("key", "Make a new API key. Give the key to the partner; put only its SHA-256 in configuration.");
        command.SetAction(_ =>
        {
            var key = PartnerKeys.NewKey();
            Console.WriteLine($"key:    {key}");
            Console.WriteLine($"sha256: {PartnerKeys.Hash(key)}");
            Console.Error.WriteLine("Put the sha256 in Partners:Partners:N:KeySha256 (or Partners:OperatorKeySha256). The key is not kept anywhere.");
            return 0;
        });
        return command;
    }

    private static Command Audit()
    {
        var partner = new Option<string>("--partner") { Description = "Only this partner" };
        var limit = new Option<int>("--limit") { Description = "Newest entries to show", DefaultValueFactory = _ => 50 };
        var data = new Option<string>("--data") { Description = "Data folder, as for `run`" };
        var command = new Command("audit", "List who generated, downloaded or was pushed which report, when, with rows, withheld cells and checksum.")
        {
            partner, limit, data,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            using var host = CliHost.Build(CliHost.Arguments(result.UnmatchedTokens, result.GetValue(data)), services =>
                services.AddOptions<PartnersOptions>().BindConfiguration(PartnersOptions.Section));
            var audit = new AuditLog(host.Services.GetRequiredService<IOptions<PartnersOptions>>());
            var entries = await audit.ListAsync(result.GetValue(partner), Math.Max(1, result.GetValue(limit)), cancellationToken);
            string[] header = ["at (UTC)", "action", "actor", "partner", "report", "window", "rows", "withheld", "sha256", "detail"];
            var rows = entries.Select(e => new[]
            {
                e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                e.Action, e.Actor, e.Partner, e.Report, e.Window,
                e.Rows.ToString(CultureInfo.InvariantCulture),
                e.WithheldCells.ToString(CultureInfo.InvariantCulture),
                e.Sha256.Length > 12 ? e.Sha256[..12] : e.Sha256, e.Detail,
            }).ToList();
            WriteRows(header, rows);
            Console.Error.WriteLine($"{entries.Count} entries from {audit.FilePath}");
            return 0;
        });
        return command;
    }

    /// <summary>A table on a terminal; tab-separated lines when piped, so tools read whole rows.</summary>
    private static void WriteRows(string[] header, List<string[]> rows)
    {
        if (Console.IsOutputRedirected)
        {
            foreach (var row in rows.Prepend(header))
            {
                Console.WriteLine(string.Join('\t', row.Select(cell => cell.ReplaceLineEndings(" ").Replace('\t', ' '))));
            }
            return;
        }
        var table = new Table().AddColumns(header);
        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }
        AnsiConsole.Write(table);
    }
}
