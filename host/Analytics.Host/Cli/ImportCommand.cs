using System.CommandLine;
using System.Runtime.InteropServices;
using Analytics.Host.Import;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Options;
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
        var force = new Option<bool>("--force") { Description = "Import a file again that this data folder already imported for the site (its pageviews then count twice)" };
        var merge = new Option<bool>("--merge") { Description = "The files are logs of the same hours from several servers (behind one load balancer): read them as one log, lines in time order, so a visit that alternates between servers is one visit" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Lines per batch, stored together and then checkpointed (default 200,000; fewer hold less in memory)" };
        var command = new Command("import", "Import web-server access logs as pageviews through the collector pipeline (resumable; bad lines are counted, never fatal).")
        {
            files, site, host, scheme, data, noProgress, force, merge, checkpointEvery,
        };
        // Anything else (--Section:Key=value) is passed to the host as configuration, as for `run`.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, _) =>
        {
            // The files argument takes every token it can, so configuration overrides after the files
            // arrive here among them: "--" starts an option, never a log file's name.
            var tokens = result.GetValue(files)!;
            var overrides = tokens.Where(IsSetting).Concat(result.UnmatchedTokens).ToList();
            var logs = tokens.Where(t => !IsSetting(t)).ToList();
            if (overrides.FirstOrDefault(t => !t.Contains('=', StringComparison.Ordinal) || !t.Contains(':', StringComparison.Ordinal)) is { } unknown)
            {
                return Fail($"unknown option {unknown} (settings are given as --Section:Key=value)", 2);
            }
            if (logs.Count == 0)
            {
                return Fail("no log file given", 2);
            }
            if (result.GetValue(checkpointEvery) is < 1)
            {
                return Fail("--checkpoint-every must be at least 1", 2);
            }
            if (logs.FirstOrDefault(f => !File.Exists(f)) is { } missing)
            {
                return Fail(Directory.Exists(missing) ? $"{missing}: is a directory; name its log files ({Path.Combine(missing, "access.log*")})" : $"{missing}: no such file", 2);
            }
            var args = new List<string> { "--Logging:LogLevel:Default=Warning" };
            args.AddRange(CliHost.DataFolderSettings(result.GetValue(data), "Sites:StorePath", "ClickHouse:DataPath", "Signing:KeyFile"));
            args.AddRange(overrides);
            var options = new ImportOptions
            {
                Site = result.GetValue(site)!,
                Host = result.GetValue(host),
                Scheme = result.GetValue(scheme) ?? "https",
                Force = result.GetValue(force),
            };
            if (result.GetValue(checkpointEvery) is { } every)
            {
                options = options with { CheckpointEvery = every };
            }

            // The first Ctrl-C or SIGTERM stops reading, lets what was read be stored and writes the
            // checkpoint; a second one ends the process at once.
            using var stop = new CancellationTokenSource();
            void OnSignal(PosixSignalContext context)
            {
                if (!stop.IsCancellationRequested)
                {
                    context.Cancel = true;
                    Console.Error.WriteLine("analytics import: stopping after the lines read so far are stored (again to quit at once)");
                    stop.Cancel();
                }
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            try
            {
                return await ImportAsync(args, logs, options, result.GetValue(merge), result.GetValue(noProgress), stop.Token);
            }
            catch (Exception ex) when (CliHost.IsInvalidConfiguration(ex))
            {
                CliHost.ReportInvalidConfiguration(ex, "import");
                return 2;
            }
            catch (Exception ex) when (ex is ImportException or ClickHouseException or OptionsValidationException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                return Fail(ex.Message, 1);
            }
        });
        return command;
    }

    private static bool IsSetting(string token) => token.StartsWith("--", StringComparison.Ordinal);

    private static int Fail(string message, int status)
    {
        Console.Error.WriteLine("analytics import: " + message.ReplaceLineEndings(" "));
        return status;
    }

    private static async Task<int> ImportAsync(List<string> args, List<string> logs, ImportOptions options, bool merge, bool plain, CancellationToken cancellationToken)
    {
        await using var importer = await LogImporter.StartAsync(args, CancellationToken.None);
        // The latest line time of the files read so far, and the file it is in.
        (DateTime Time, string File)? readUntil = null;
        // Merged, the files are one log: in the order given (ties between equal times go to the file named first).
        foreach (var group in merge ? [logs] : LogFile.OldestFirst(logs).Select(file => new List<string> { file }))
        {
            var file = string.Join(" + ", group);
            var label = string.Join(" + ", group.Select(Path.GetFileName));
            ImportResult imported;
            if (plain || !AnsiConsole.Profile.Capabilities.Interactive)
            {
                Console.WriteLine($"importing {file}");
                long printed = 0;
                imported = await importer.ImportAsync(group, options, p =>
                {
                    if (p.Lines - printed >= PlainProgressEvery)
                    {
                        printed = p.Lines;
                        Console.WriteLine($"  {p.Lines:N0} lines, {p.Imported:N0} pageviews, {p.LinesPerSecond:N0} lines/s");
                    }
                }, cancellationToken);
            }
            else
            {
                ImportResult? last = null;
                await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(label), maxValue: 1);
                    last = await importer.ImportAsync(group, options, p =>
                    {
                        task.MaxValue = Math.Max(1, p.TotalBytes);
                        task.Value = p.BytesRead;
                        task.Description = Markup.Escape($"{label}: {p.Lines:N0} lines, {p.Imported:N0} pageviews, {p.LinesPerSecond:N0} lines/s");
                    }, cancellationToken);
                });
                imported = last!;
            }
            Print(imported);
            if (imported.Survey is { First: { } first, Last: { } lastLine })
            {
                if (readUntil is { } before && first < before.Time - OverlapTolerated)
                {
                    Console.Error.WriteLine($"analytics import: warning: {file} has lines from {first:yyyy-MM-dd HH:mm:ss} UTC, within the time of {before.File} (to {before.Time:yyyy-MM-dd HH:mm:ss} UTC), read before it: "
                        + "visits are tracked file by file, so a visit whose hits alternate between the two (several servers' logs of the same hours) counts as several; visitors per day are exact. "
                        + "Import such logs together with --merge to count their visits exactly.");
                }
                if (readUntil is null || lastLine > readUntil.Value.Time)
                {
                    readUntil = (lastLine, file);
                }
            }
            if (!imported.Completed)
            {
                Console.WriteLine("Interrupted: run the same command again to resume from the checkpoint.");
                return 130;
            }
        }
        return 0;
    }

    private const int PlainProgressEvery = 10_000;

    /// <summary>How far a file's first lines may reach back into the previous file's time unremarked: a rotation's cut, with lines logged out of order around it.</summary>
    private static readonly TimeSpan OverlapTolerated = TimeSpan.FromMinutes(1);

    private static void Print(ImportResult r)
    {
        if (r.AlreadyImported is { } done)
        {
            Console.WriteLine($"{r.File}: already imported on {done.ImportedAt:yyyy-MM-dd HH:mm} UTC ({done.Lines:N0} lines, {done.Pageviews:N0} pageviews); nothing imported (--force imports it again, counting it twice)");
            return;
        }
        var span = r is { FirstPageview: { } first, LastPageview: { } last } ? $" ({first.UtcDateTime:yyyy-MM-dd} to {last.UtcDateTime:yyyy-MM-dd})" : "";
        var speed = r.Elapsed > TimeSpan.Zero ? $" in {r.Elapsed.TotalSeconds:0.0} s ({r.Lines / r.Elapsed.TotalSeconds:N0} lines/s)" : "";
        var resumed = r.ContinuedFrom is { } continued
            ? $" (continued after line {r.ResumedAt:N0}: its first {r.ResumedAt:N0} lines are {continued.File}, imported on {continued.ImportedAt:yyyy-MM-dd HH:mm} UTC)"
            : r.ResumedAt > 0 ? $" (resumed after line {r.ResumedAt:N0})" : "";
        Console.WriteLine($"{r.File}: {r.Lines:N0} lines read{resumed}{speed}, {r.Imported:N0} pageviews imported{span}");
        if (r.RawKeptUntil is { } raw)
        {
            var figures = r.RollupsKeptUntil is { } rollups ? $"; daily figures (dashboard, reports) until at least {rollups:yyyy-MM-dd}" : "";
            Console.WriteLine($"  kept: raw hits and visits until {raw:yyyy-MM-dd}{figures}");
        }
        foreach (var (file, after, finished) in r.ContinuedMembers)
        {
            Console.WriteLine($"  {file}: continued after line {after:N0} (its first {after:N0} lines are {finished.File}, imported on {finished.ImportedAt:yyyy-MM-dd HH:mm} UTC)");
        }
        if (r.AlreadyStored > 0)
        {
            Console.WriteLine($"  already stored by an earlier run: {r.AlreadyStored:N0} pageviews (not stored again)");
        }
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
            var where = r.FirstBadLineFiles.Count == r.FirstBadLines.Count && r.FirstBadLines.Count > 0
                ? string.Join(", ", r.FirstBadLines.Select((line, i) => $"{r.FirstBadLineFiles[i]}:{line}"))
                : "line " + string.Join(", ", r.FirstBadLines);
            Console.WriteLine($"  bad lines: {r.BadLines:N0} (first at {where})");
        }
        if (r.Completed && !r.Recorded)
        {
            Console.WriteLine("  nothing stored, so not recorded as imported: the same command imports it again");
        }
    }
}
