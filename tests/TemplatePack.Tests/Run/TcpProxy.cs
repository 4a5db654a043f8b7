using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace TemplatePack.Tests.Run;

/// <summary>
/// A loopback TCP forwarder between the app and a real server, to cut the network on demand:
/// <see cref="Cut"/> stops listening and aborts every open connection (RST, as a dead network or a failover
/// looks to a client); <see cref="Restore"/> listens again on the same port.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly ConcurrentDictionary<Guid, (TcpClient Client, TcpClient Upstream)> _connections = new();
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _acceptLoop;
    private int _accepted;

    public TcpProxy(string upstreamHost, int upstreamPort)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        Restore(); // binds port 0 the first time and keeps the port the OS chose, so no other process can race for it
    }

    public int Port { get; private set; }

    public bool IsCut { get; private set; }

    /// <summary>Connections accepted since the proxy was created (proves traffic really went through it).</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    public void Restore()
    {
        lock (_gate)
        {
            var listener = new TcpListener(IPAddress.Loopback, Port);
            // The port was ours a moment ago; aborted connections must not block re-binding it.
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _listener = listener;
            _acceptLoop?.Dispose();
            _acceptLoop = new CancellationTokenSource();
            IsCut = false;
            _ = AcceptLoopAsync(listener, _acceptLoop.Token);
        }
    }

    public void Cut()
    {
        lock (_gate)
        {
            IsCut = true;
            _acceptLoop?.Cancel();
            _listener?.Stop();
            _listener = null;
            foreach (var (id, pair) in _connections)
            {
                Abort(pair.Client);
                Abort(pair.Upstream);
                _connections.TryRemove(id, out _);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _acceptLoop?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellation);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return; // Cut() stopped the listener
            }

            Interlocked.Increment(ref _accepted);
            _ = ForwardAsync(client, cancellation);
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken cancellation)
    {
        var upstream = new TcpClient();
        var id = Guid.NewGuid();
        try
        {
            await upstream.ConnectAsync(_upstreamHost, _upstreamPort, cancellation);
            _connections[id] = (client, upstream);
            if (IsCut)
            {
                return; // cut while connecting: the finally block aborts both sides
            }

            var up = client.GetStream().CopyToAsync(upstream.GetStream(), cancellation);
            var down = upstream.GetStream().CopyToAsync(client.GetStream(), cancellation);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side closed or was aborted by Cut(): the other side is closed below, which is the point.
        }
        finally
        {
            _connections.TryRemove(id, out _);
            Abort(client);
            Abort(upstream);
        }
    }

    private static void Abort(TcpClient client)
    {
        // Cut() and a forwarder ending on its own may abort the same pair concurrently: Client turns null once
        // the TcpClient is disposed, and the socket may be disposed between the check and the call.
        var socket = client.Client;
        if (socket is not null)
        {
            try
            {
                // Linger 0: close with RST instead of a graceful FIN, like a dropped network path.
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed: nothing left to abort.
            }
        }

        client.Dispose();
    }
}
