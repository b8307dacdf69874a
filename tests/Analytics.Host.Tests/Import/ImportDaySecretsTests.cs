using Analytics.Host.Import;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Host.Tests.Import;

/// <summary>How long <see cref="ImportDaySecrets"/> keeps a day's secret, against the migrated store (schema 0025, 0026).</summary>
public class ImportDaySecretsTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Test]
    public async Task A_day_secret_is_kept_for_the_days_set_after_its_day_and_read_until_they_have_passed()
    {
        await using var host = await RunningHost.StartAsync();
        var secrets = new ImportDaySecrets(host.App.Services.GetRequiredService<IClickHouse>(), keptDays: 8);
        var secret = new byte[HistoricVisitorIds.SecretLength];
        Random.Shared.NextBytes(secret);
        var days = Enumerable.Range(0, 11).Select(back => Today.AddDays(-back)).ToList();

        var stored = await secrets.KeepAsync("weekly", days, secret, Today, CancellationToken.None);

        Assert.That(stored, Is.EqualTo(days.Where(d => d >= Today.AddDays(-8)).Order()), "only the last 8 days and today");
        Assert.That((await secrets.ReadAsync("weekly", Today, CancellationToken.None)).Keys, Is.EquivalentTo(stored));
        // A day's secret is read while at most 8 days have passed since it: the next day, the oldest is gone.
        Assert.That((await secrets.ReadAsync("weekly", Today.AddDays(1), CancellationToken.None)).Keys, Is.EquivalentTo(stored.Where(d => d > Today.AddDays(-8))));
        Assert.That((await secrets.ReadAsync("weekly", Today.AddDays(9), CancellationToken.None)), Is.Empty);
        Assert.That((await secrets.ReadAsync("weekly", Today, CancellationToken.None)).Values, Has.All.EqualTo(secret));
    }

    [Test]
    public async Task No_day_secret_is_kept_with_0_days_not_even_todays()
    {
        await using var host = await RunningHost.StartAsync();
        var secrets = new ImportDaySecrets(host.App.Services.GetRequiredService<IClickHouse>(), keptDays: 0);
        var secret = new byte[HistoricVisitorIds.SecretLength];

        var stored = await secrets.KeepAsync("none", [Today, Today.AddDays(-1)], secret, Today, CancellationToken.None);

        Assert.That(stored, Is.Empty);
        Assert.That(await secrets.ReadAsync("none", Today, CancellationToken.None), Is.Empty);
    }
}
