using System.Net;
using System.Net.Sockets;

namespace Analytics.Bench.Processes;

/// <summary>A loopback TCP port that was free a moment ago (servers started as child processes need one up front).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
