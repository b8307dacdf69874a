using System.CommandLine;
using Analytics.Host.Import;
using Spectre.Console;

namespace Analytics.Host.Cli;

/// <summary>`analytics import`: access logs (Combined Log Format, plain or .gz) into the embedded store, as pageviews.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Access log files (Combined or Common Log Format; .gz is read as gzip)", Arity = ArgumentArity.OneOrMore };
        var site = new Option<string>("--site") { Description = "Registered site the history belongs to", Required = true };
        var host = new Option<string>("--host") { Description = "Host the logged paths were served from (default: the site's first host)" };
        var scheme = new Option<string>("--scheme") { Description = "Scheme of the page URLs (default https)" };
        var data = new Option<string>("--data") { Description = "Data folder, as for `analytics run` (stop the server first: the engine allows one process per folder)" };
        var noProgress = new Option<bool>("--no-progress") { Description = "Plain output instead of a progress bar" };
        var command = new Command("import", "Import web-server access logs as pageviews through the collector pipeline (resumable; bad lines are counted, never fatal).")
        {
            files, site, host, scheme, data, noProgress,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var args = new List<string>(result.UnmatchedTokens) { "--Logging:LogLevel:Default=Warning" };
            if (result.GetValue(data) is { } d)
            {
                args.Add("--ClickHouse:DataPath=" + Path.GetFullPath(Path.Combine(d, "clickhouse")));
                args.Add("--Signing:KeyFile=" + Path.GetFullPath(Path.Combine(d, "signing.key")));
            }
            var options = new ImportOptions
            {
                Site = result.GetValue(site)!,
                Host = result.GetValue(host),
                Scheme = result.GetValue(scheme) ?? "https",
            };
            await using var importer = await LogImporter.StartAsync(args, cancellationToken);
            var results = new List<ImportResult>();
            foreach (var file in result.GetValue(files)!)
            {
                if (result.GetValue(noProgress) || !AnsiConsole.Profile.Capabilities.Interactive)
                {
                    Console.WriteLine($"importing {file}");
                    results.Add(await importer.ImportAsync(file, options, null, cancellationToken));
                }
                else
                {
                    await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
                    {
                        var task = context.AddTask(Markup.Escape(Path.GetFileName(file)), maxValue: 1);
                        results.Add(await importer.ImportAsync(file, options, p =>
                        {
                            task.MaxValue = Math.Max(1, p.TotalBytes);
                            task.Value = p.BytesRead;
                            task.Description = Markup.Escape($"{Path.GetFileName(file)}: {p.Lines:N0} lines, {p.Imported:N0} pageviews");
                        }, cancellationToken));
                    });
                }
                Print(results[^1]);
                if (!results[^1].Completed)
                {
                    Console.WriteLine("Interrupted: run the same command again to resume from the checkpoint.");
                    return 130;
                }
            }
            return 0;
        });
        return command;
    }

    private static void Print(ImportResult r)
    {
        Console.WriteLine($"{r.File}: {r.Lines:N0} lines read{(r.ResumedAt > 0 ? $" (resumed after line {r.ResumedAt:N0})" : "")}, {r.Imported:N0} pageviews imported");
        if (r.Skipped.Count > 0)
        {
            Console.WriteLine("  skipped: " + string.Join(", ", r.Skipped.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}")));
        }
        if (r.Dropped.Count > 0)
        {
            Console.WriteLine("  dropped by the pipeline: " + string.Join(", ", r.Dropped.Select(s => $"{s.Key} {s.Value:N0}")));
        }
        if (r.BadLines > 0)
        {
            Console.WriteLine($"  bad lines: {r.BadLines:N0} (first at line {string.Join(", ", r.FirstBadLines)})");
        }
    }
}
