using System.Net.Http.Headers;
using System.Threading.Channels;
using Analytics.Partners.Audit;
using Analytics.Partners.Configuration;
using Analytics.Partners.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Analytics.Partners.Delivery;

/// <summary>
/// Pushes each new report to its partner's endpoint: an HTTPS POST of the file, signed (see <see cref="PushSignature"/>),
/// retried with doubling delays until acknowledged by a 2xx answer. An acknowledged delivery is recorded before
/// anything else is sent and is never sent again; deliveries still unacknowledged when the host stopped are
/// resumed at start. One worker sends one request at a time.
/// </summary>
public sealed partial class PushDelivery(
    PartnerDirectory directory,
    ReportStore store,
    AuditLog audit,
    PartnersMetrics metrics,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<PushDelivery> logger) : BackgroundService
{
    public const string HttpClientName = "partners-push";

    private readonly Channel<StoredReport> _incoming = Channel.CreateUnbounded<StoredReport>();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>Queues a report for its partner's endpoint (ignored when the partner has none).</summary>
    public void Enqueue(StoredReport report) => _incoming.Writer.TryWrite(report);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var partner in directory.All.Where(p => p.Push.Url.Length > 0))
        {
            metrics.Failing(partner.Id, 0);
            foreach (var report in store.List(partner.Id))
            {
                Enqueue(report);
            }
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            while (_incoming.Reader.TryRead(out var report))
            {
                Accept(report);
            }
            var now = time.GetUtcNow();
            foreach (var pending in _pending.Values.Where(p => p.DueAt <= now).OrderBy(p => p.DueAt).ToList())
            {
                await AttemptAsync(pending, stoppingToken);
            }
            await WaitAsync(stoppingToken);
        }
    }

    private void Accept(StoredReport report)
    {
        var partner = directory.Find(report.Partner);
        if (partner is null || partner.Push.Url.Length == 0 || _pending.ContainsKey(report.DeliveryId))
        {
            return;
        }
        var state = store.PushStateOf(report);
        if (state is { Status: PushStatus.Delivered } && state.DeliveryId == report.DeliveryId)
        {
            return;
        }
        var attempts = state?.DeliveryId == report.DeliveryId ? state.Attempts : 0;
        _pending[report.DeliveryId] = new Pending(report, time.GetUtcNow(), attempts);
    }

    private async Task AttemptAsync(Pending pending, CancellationToken stoppingToken)
    {
        var report = pending.Report;
        var partner = directory.Find(report.Partner);
        var current = store.Find(report.Partner, report.Report, report.Window);
        // A rerun replaced the file with other content: that new delivery is queued on its own.
        if (partner is null || partner.Push.Url.Length == 0 || current?.DeliveryId != report.DeliveryId)
        {
            _pending.Remove(report.DeliveryId);
            UpdateGauge(report.Partner);
            return;
        }

        var now = time.GetUtcNow();
        string? error;
        try
        {
            error = await PostAsync(partner, report, now, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever went wrong (network, TLS, a missing file), the delivery stays queued and the worker lives on.
            error = e is TaskCanceledException ? "timeout" : e.GetType().Name;
        }

        var attempts = pending.Attempts + 1;
        metrics.PushAttempt(partner.Id, error is null);
        var host = new Uri(partner.Push.Url).Authority;
        if (error is null)
        {
            await store.SavePushStateAsync(report, new PushState
            {
                DeliveryId = report.DeliveryId,
                Status = PushStatus.Delivered,
                Attempts = attempts,
                LastAttemptAt = now,
                DeliveredAt = time.GetUtcNow(),
            }, CancellationToken.None);
            _pending.Remove(report.DeliveryId);
            await audit.AppendAsync(Entry(report, AuditActions.Pushed, host, time.GetUtcNow()), CancellationToken.None);
            Log.Delivered(logger, partner.Id, report.Report, report.Window, attempts);
        }
        else
        {
            var delay = Backoff(directory.Options.Push, attempts);
            await store.SavePushStateAsync(report, new PushState
            {
                DeliveryId = report.DeliveryId,
                Status = PushStatus.Failing,
                Attempts = attempts,
                LastAttemptAt = now,
                LastError = error,
            }, CancellationToken.None);
            _pending[report.DeliveryId] = pending with { DueAt = now + delay, Attempts = attempts, Failing = true };
            await audit.AppendAsync(Entry(report, AuditActions.PushFailed, $"{host}: {error}", now), CancellationToken.None);
            Log.Failed(logger, partner.Id, report.Report, report.Window, attempts, error, delay);
        }
        UpdateGauge(partner.Id);
    }

    /// <summary>Null when acknowledged, else a short reason (an HTTP status, never the answer's body).</summary>
    private async Task<string?> PostAsync(PartnerOptions partner, StoredReport report, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var body = await File.ReadAllBytesAsync(store.PathOf(report), stoppingToken);
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, partner.Push.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(report.ContentType);
        request.Headers.Add(PushSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(PushSignature.SignatureHeader, PushSignature.Sign(partner.Push.Secret, timestamp, body));
        request.Headers.Add(PushSignature.DeliveryHeader, report.DeliveryId);
        request.Headers.Add("X-Analytics-Report", report.Report);
        request.Headers.Add("X-Analytics-Window", report.Window);
        request.Headers.Add("X-Analytics-Sha256", report.Sha256);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(directory.Options.Push.Timeout);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return response.IsSuccessStatusCode ? null : "HTTP " + (int)response.StatusCode;
    }

    private async Task WaitAsync(CancellationToken stoppingToken)
    {
        var next = _pending.Count == 0 ? (DateTimeOffset?)null : _pending.Values.Min(p => p.DueAt);
        var wait = next is { } due ? due - time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (next is not null && wait <= TimeSpan.Zero)
        {
            return;
        }
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, time, wake.Token);
        var arrival = _incoming.Reader.WaitToReadAsync(wake.Token).AsTask();
        await Task.WhenAny(delay, arrival);
        await wake.CancelAsync();
        // Both are observed here so a cancelled one raises nothing later.
        await Task.WhenAll(delay, arrival).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void UpdateGauge(string partnerId) =>
        metrics.Failing(partnerId, _pending.Values.Count(p => p.Failing && p.Report.Partner == partnerId));

    private static TimeSpan Backoff(PushSettings settings, int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(settings.FirstRetryDelay.Ticks * factor, settings.MaxRetryDelay.Ticks));
    }

    private static AuditEntry Entry(StoredReport report, string action, string detail, DateTimeOffset at) => new()
    {
        At = at,
        Action = action,
        Actor = "push",
        Partner = report.Partner,
        Report = report.Report,
        Window = report.Window,
        Rows = report.Rows,
        WithheldCells = report.WithheldCells,
        Sha256 = report.Sha256,
        Detail = detail,
    };

    private sealed record Pending(StoredReport Report, DateTimeOffset DueAt, int Attempts, bool Failing = false);

    private static partial class Log
    {
        [LoggerMessage(8101, LogLevel.Information, "Pushed report {Partner}/{Report}/{Window} (attempt {Attempts})")]
        public static partial void Delivered(ILogger logger, string partner, string report, string window, int attempts);

        [LoggerMessage(8102, LogLevel.Warning, "Push of report {Partner}/{Report}/{Window} failed (attempt {Attempts}, {Error}); retrying in {Delay}")]
        public static partial void Failed(ILogger logger, string partner, string report, string window, int attempts, string error, TimeSpan delay);
    }
}
