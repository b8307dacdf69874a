using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

public class PrivacyLedgerTests
{
    private static readonly PrivacyBudgetOptions TwoRuns = new() { Epsilon = 2m, Delta = 0.00001m };

    private static string NewPath() => Path.Combine(PartnersApp.NewStorePath(), "privacy-ledger.jsonl");

    [Test]
    public async Task A_budget_for_two_runs_allows_two_and_refuses_the_third()
    {
        using var ledger = new PrivacyLedger(NewPath(), TimeProvider.System);
        await ledger.SpendAsync("acme", "daily", "2026-11-28", 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        await ledger.SpendAsync("acme", "daily", "2026-11-28", 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);

        var refused = Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
            ledger.SpendAsync("acme", "daily", "2026-11-28", 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("acme").And.Contain("2026-11-28").And.Contain("ε=2"));
        Assert.That(await ledger.ReadAsync(CancellationToken.None), Has.Count.EqualTo(2), "a refused run spends nothing");
        // Another window and another partner have budgets of their own.
        await ledger.SpendAsync("acme", "daily", "2026-11-29", 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
        await ledger.SpendAsync("globex", "daily", "2026-11-28", 1m, 0.000001m, TwoRuns, "operator", CancellationToken.None);
    }

    [Test]
    public async Task The_ledger_survives_a_restart_and_counts_delta_too()
    {
        var path = NewPath();
        using (var first = new PrivacyLedger(path, TimeProvider.System))
        {
            await first.SpendAsync("acme", "daily", "2026-11-28", 0.5m, 0.000008m, TwoRuns, "scheduler", CancellationToken.None);
        }
        using var second = new PrivacyLedger(path, TimeProvider.System);
        Assert.ThrowsAsync<PrivacyBudgetExceededException>(() =>
            second.SpendAsync("acme", "daily", "2026-11-28", 0.5m, 0.000008m, TwoRuns, "scheduler", CancellationToken.None));
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
                await (i % 2 == 0 ? a : b).SpendAsync("acme", "r" + i, "2026-11-28", 1m, 0.000001m, budget, "operator", CancellationToken.None);
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
