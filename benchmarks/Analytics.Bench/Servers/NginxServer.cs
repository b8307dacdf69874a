using Analytics.Bench.Processes;

namespace Analytics.Bench.Servers;

/// <summary>
/// (a) The classic do-it-yourself collector: Debian nginx with <c>empty_gif</c>, the <c>userid</c>
/// visitor-ID cookie and a combined access log, configured in a temporary folder on a free port.
/// </summary>
public sealed class NginxServer(string workDirectory) : IServerUnderTest
{
    private ChildProcess? _process;

    public string Key => "nginx";

    public string Description => "nginx empty_gif + userid cookie + combined access log (worker_processes auto)";

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public int Pid => _process?.Pid ?? throw new InvalidOperationException("nginx is not running");

    public string AccessLogPath => Path.Combine(workDirectory, "access.log");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        Directory.CreateDirectory(Path.Combine(workDirectory, "tmp"));
        var config = Path.Combine(workDirectory, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(workDirectory, port), cancellationToken);
        _process = ChildProcess.Start(Key, "nginx", ["-p", workDirectory, "-e", Path.Combine(workDirectory, "error.log"), "-c", config]);
        await _process.WaitForPortAsync(port, TimeSpan.FromSeconds(10));
    }

    /// <summary>The configuration: the GIF answered with the same no-cache headers as our collector.</summary>
    public static string Config(string directory, int port) => $$"""
        daemon off;
        worker_processes auto;
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log warn;
        events { worker_connections 4096; }
        http {
            access_log {{directory}}/access.log combined;
            client_body_temp_path {{directory}}/tmp/body;
            proxy_temp_path {{directory}}/tmp/proxy;
            fastcgi_temp_path {{directory}}/tmp/fastcgi;
            uwsgi_temp_path {{directory}}/tmp/uwsgi;
            scgi_temp_path {{directory}}/tmp/scgi;
            keepalive_requests 1000000;
            server {
                listen 127.0.0.1:{{port}};
                location = /i.gif {
                    empty_gif;
                    userid on;
                    userid_name _vid;
                    userid_path /;
                    userid_expires 395d;
                    add_header Cache-Control "no-store, no-cache, must-revalidate, max-age=0";
                }
            }
        }
        """;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            // nginx stops gracefully on SIGQUIT and fast on SIGTERM; fast is what we want here.
            await _process.DisposeAsync();
        }
    }
}
