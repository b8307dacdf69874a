using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests.ClickHouse;

public class ClickHouseServicesTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddClickHouse();
        return services.BuildServiceProvider();
    }

    [Test]
    public void Server_mode_talks_to_the_configured_server_through_the_driver()
    {
        using var services = Services(new() { ["ClickHouse:Mode"] = "Server", ["ClickHouse:ServerUrl"] = "http://127.0.0.1:8123", ["ClickHouse:Database"] = "stats" });

        var clickHouse = services.GetRequiredService<IClickHouse>();

        Assert.That(clickHouse, Is.InstanceOf<ServerClickHouse>());
        Assert.That(clickHouse.Database, Is.EqualTo("stats"));
    }

    [Test]
    public void A_cluster_without_server_mode_is_refused_with_the_key_named()
    {
        using var services = Services(new() { ["ClickHouse:Cluster"] = "events" });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<ClickHouseOptions>>().Value);

        Assert.That(error!.Message, Does.Contain("ClickHouse:Cluster"));
    }

    [Test]
    public void A_server_url_that_is_not_http_is_refused_with_the_key_named()
    {
        using var services = Services(new() { ["ClickHouse:Mode"] = "Server", ["ClickHouse:ServerUrl"] = "tcp://x:9000" });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<ClickHouseOptions>>().Value);

        Assert.That(error!.Message, Does.Contain("ClickHouse:ServerUrl"));
    }
}
