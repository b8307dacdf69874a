using System.CommandLine;
using Analytics.Partners;
using Analytics.Partners.Configuration;
using Analytics.Partners.Generation;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;
using Analytics.Pipeline;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics export`: runs a partner's report definition for a window, small cells suppressed as configured,
/// to a file or stdout, and audits it. It opens the embedded ClickHouse itself, so run it while the host is
/// stopped (the engine allows one process per data folder); a running host reruns a window through
/// POST /api/partners-admin/reruns instead.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var partner = new Option<string>("--partner") { Description = "Partner id (Partners:Partners:N:Id)", Required = true };
        var report = new Option<string>("--report") { Description = "Report id of that partner", Required = true };
        var from = new Option<DateOnly?>("--from") { Description = "First day (yyyy-MM-dd, UTC days); default: the definition's window before today" };
        var to = new Option<DateOnly?>("--to") { Description = "Last day, included; default: --from" };
        var format = new Option<ReportFormat?>("--format") { Description = "Csv, JsonLines or Parquet; default: the definition's" };
        var output = new Option<string>("--out") { Description = "File to write; '-' or none for stdout" };
        var data = new Option<string>("--data") { Description = "Data folder, as for `run`" };
        var command = new Command("export", "Export a partner report for a window to a file or stdout (audited; not stored or pushed).")
        {
            partner, report, from, to, format, output, data,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var args = CliHost.Arguments(result.UnmatchedTokens, result.GetValue(data));
            using var host = CliHost.Build(args, services => services.AddEmbeddedClickHouse().AddPartners());
            if (!CliHost.StoreOpens(host.Services, "export"))
            {
                return 1;
            }
            try
            {
                var directory = host.Services.GetRequiredService<PartnerDirectory>();
                var definition = directory.Find(result.GetValue(partner)!) is { } p ? PartnerDirectory.FindReport(p, result.GetValue(report)!) : null;
                if (definition is null)
                {
                    Console.Error.WriteLine($"analytics export: no report '{result.GetValue(report)}' for partner '{result.GetValue(partner)}' in Partners:Partners");
                    return 2;
                }
                var window = Window(definition, result.GetValue(from), result.GetValue(to), host.Services.GetRequiredService<TimeProvider>());
                var path = result.GetValue(output) is { } o && o != "-" ? Path.GetFullPath(o) : null;
                var table = await RunAsync(host.Services, result.GetValue(partner)!, definition.Id, window, result.GetValue(format), path, cancellationToken);
                var protection = table.Privacy is { } dp ? $"differential privacy, ε = {dp.Epsilon}, δ = {dp.Delta}" : $"{table.WithheldCells} cells withheld (k = {table.K})";
                Console.Error.WriteLine($"{window.Name}: {table.DataRows} rows, {protection}{(path is null ? "" : " -> " + path)}");
                return 0;
            }
            catch (PrivacyBudgetExceededException e)
            {
                Console.Error.WriteLine("analytics export: " + e.Message);
                return 3;
            }
            catch (UnpublishableWindowException e)
            {
                Console.Error.WriteLine("analytics export: " + e.Message);
                return 2;
            }
            catch (OptionsValidationException e)
            {
                Console.Error.WriteLine("analytics export: " + e.Message);
                return 2;
            }
        });
        return command;
    }

    private static async Task<ReportTable> RunAsync(
        IServiceProvider services, string partnerId, string reportId, ReportWindow window, ReportFormat? format, string? path, CancellationToken cancellationToken)
    {
        // Progress goes to stderr, so stdout carries nothing but the report.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"{partnerId}/{reportId} {window.Name}", maxValue: 4);
                task.Description = "opening storage";
                await services.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellationToken);
                task.Increment(1);
                var progress = new Progress<string>(stage =>
                {
                    task.Description = $"{partnerId}/{reportId} {window.Name}: {stage}";
                    task.Increment(1);
                });
                await using var output = path is null ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Create, FileAccess.Write);
                var table = await services.GetRequiredService<ReportGenerator>().ExportAsync(
                    partnerId, reportId, window, format, output, path ?? "stdout", progress, cancellationToken);
                task.Value = task.MaxValue;
                return table;
            });
    }

    private static ReportWindow Window(ReportOptions definition, DateOnly? from, DateOnly? to, TimeProvider time)
    {
        if (from is { } first)
        {
            var last = to ?? first;
            return last < first ? throw new ArgumentException("--to is before --from") : new ReportWindow(first, last);
        }
        var zone = PartnersOptionsValidator.TryFindTimeZone(definition.Schedule.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        return ReportWindow.Preceding(definition.Window, today);
    }
}
