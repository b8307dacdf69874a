using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Privacy;

public class PrivacyLedgerTests
{
    private static readonly PrivacyBudgetOptions TwoRuns = new() { Epsilon = 2m, Delta = 0.00001m };

    private static ReportWindow Day(int month, int day) => new(new DateOnly(2026, month, day), new DateOnly(2026, month, day));

    private static ReportWindow Days(int fromMonth, int fromDay, int toMonth, int toDay) => new(new DateOnly(2026, fromMonth, fromDay), new DateOnly(2026, toMonth, toDay));

    private static string NewPath() => Path.Combine(PartnersApp.NewStorePath(), "privacy-ledger.jsonl");

    [Test]
    public async Task A_budget_for_two_runs_allows_two_and_refuses_the_third()
    {
        using var ledger = new PrivacyLedger(NewPath(), TimeProvider.System);
        await ledger.SpendAsync("acme", "daily", Day(11, 28), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        await ledger.SpendAsync("acme", "daily", Day(11, 28), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);

        var refused = Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
            ledger.SpendAsync("acme", "daily", Day(11, 28), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("acme").And.Contain("2026-11").And.Contain("2026-11-28").And.Contain("ε=2"));
        Assert.That(await ledger.ReadAsync(CancellationToken.None), Has.Count.EqualTo(2), "a refused run spends nothing");
        // Another month and another partner have budgets of their own.
        await ledger.SpendAsync("acme", "daily", Day(12, 1), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        await ledger.SpendAsync("globex", "daily", Day(11, 28), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
    }

    [Test]
    public async Task Another_window_over_the_same_month_draws_on_the_same_budget_whatever_its_name()
    {
        using var ledger = new PrivacyLedger(NewPath(), TimeProvider.System);
        await ledger.SpendAsync("acme", "daily", Day(11, 28), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        await ledger.SpendAsync("acme", "weekly", Days(11, 23, 11, 29), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);

        // Another day, the whole month, or a window that merely overlaps the month: all read November's data.
        foreach (var window in new[] { Day(11, 29), Days(11, 1, 11, 30), Days(10, 30, 11, 2) })
        {
            var refused = Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
                ledger.SpendAsync("acme", "other", window, 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None), window.Name);
            Assert.That(refused!.Message, Does.Contain("2026-11"), window.Name);
        }
        Assert.That(await ledger.ReadAsync(CancellationToken.None), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_window_across_two_months_charges_both()
    {
        using var ledger = new PrivacyLedger(NewPath(), TimeProvider.System);
        var entry = await ledger.SpendAsync("acme", "weekly", Days(11, 30, 12, 6), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        Assert.That(entry.Months, Is.EqualTo(new[] { "2026-11", "2026-12" }));

        await ledger.SpendAsync("acme", "daily", Day(11, 29), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
            ledger.SpendAsync("acme", "daily", Day(12, 3), 1.5m, 0.000001m, TwoRuns, "operator", CancellationToken.None), "December has 1 of 2 left");
        await ledger.SpendAsync("acme", "daily", Day(12, 3), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        await ledger.SpendAsync("acme", "daily", Day(10, 31), 2m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
    }

    [Test]
    public async Task A_spend_written_before_budgets_were_monthly_is_charged_to_the_months_of_its_window_name()
    {
        var path = NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path,
            """{"at":"2026-11-29T03:00:00+00:00","partner":"acme","report":"daily","window":"2026-11-28","epsilon":1.5,"delta":0.000001,"actor":"scheduler"}""" + "\n");
        using var ledger = new PrivacyLedger(path, TimeProvider.System);

        Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
            ledger.SpendAsync("acme", "renamed", Day(11, 2), 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None));
        await ledger.SpendAsync("acme", "renamed", Day(11, 2), 0.5m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
    }

    [Test]
    public async Task The_ledger_survives_a_restart_and_counts_delta_too()
    {
        var path = NewPath();
        using (var first = new PrivacyLedger(path, TimeProvider.System))
        {
            await first.SpendAsync("acme", "daily", Day(11, 28), 0.5m, 0.000008m, TwoRuns, "scheduler", CancellationToken.None);
        }
        using var second = new PrivacyLedger(path, TimeProvider.System);
        Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
            second.SpendAsync("acme", "daily", Day(11, 28), 0.5m, 0.000008m, TwoRuns, "scheduler", CancellationToken.None));
    }

    [Test]
    public async Task Concurrent_runs_from_two_ledgers_on_one_file_never_overspend()
    {
        var path = NewPath();
        using var a = new PrivacyLedger(path, TimeProvider.System);
        using var b = new PrivacyLedger(path, TimeProvider.System);
        var budget = new PrivacyBudgetOptions { Epsilon = 5m, Delta = 1m };
        var attempts = Enumerable.Range(0, 24).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).SpendAsync("acme", "r" + i, Day(11, 28), 1m, 0.000001m, budget, "operator", CancellationToken.None);
                return true;
            }
            catch (PrivacyBudgetExceededException)
            {
                return false;
            }
        }).ToList();
        var results = await Task.WhenAll(attempts);
        Assert.That(results.Count(r => r), Is.EqualTo(5));
        Assert.That(await a.ReadAsync(CancellationToken.None), Has.Count.EqualTo(5));
    }
}
