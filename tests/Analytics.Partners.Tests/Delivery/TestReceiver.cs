using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Analytics.Partners.Delivery;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Partners.Tests.Delivery;

/// <summary>
/// A partner's endpoint: HTTPS on a loopback port with a self-signed certificate. It verifies each push's
/// signature, answers 503 while <see cref="Failing"/> is set, and acknowledges each valid delivery with 200.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestReceiver(WebApplication app, X509Certificate2 certificate, string secret)
    {
        _app = app;
        Certificate = certificate;
        Secret = secret;
    }

    public X509Certificate2 Certificate { get; }

    public string Secret { get; }

    public Uri Url { get; private set; } = null!;

    private volatile bool _failing;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public IEnumerable<Received> Acknowledged => Requests.Where(r => r.Status == 200);

    public sealed record Received(string? DeliveryId, bool SignatureValid, int Status, byte[] Body);

    public static async Task<TestReceiver> StartAsync(string secret)
    {
        var certificate = SelfSigned();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var receiver = new TestReceiver(app, certificate, secret);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var valid = PushSignature.Verify(secret, context.Request.Headers[PushSignature.TimestampHeader], context.Request.Headers[PushSignature.SignatureHeader],
                body.ToArray(), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            var status = !valid ? 401 : receiver.Failing ? 503 : 200;
            receiver.Requests.Enqueue(new Received(context.Request.Headers[PushSignature.DeliveryHeader], valid, status, body.ToArray()));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver.Url = new Uri($"https://127.0.0.1:{address.Port}/hook");
        return receiver;
    }

    /// <summary>The push client of the app under test trusts exactly this receiver's certificate.</summary>
    public void Trust(IServiceCollection services) =>
        services.AddHttpClient(PushDelivery.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString() },
        });

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
