using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// A real SMTP server (the SmtpServer library) on a free loopback port, requiring authentication, that keeps every
/// message it accepts: what the app's account email goes to in these tests.
/// </summary>
public sealed class SmtpInbox : IAsyncDisposable
{
    public const string UserName = "starter-app";
    public const string Password = "smtp test password";
    public const string From = "no-reply@example.test";

    private readonly Channel<MimeMessage> _messages = Channel.CreateUnbounded<MimeMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _server;

    public SmtpInbox()
    {
        Port = FreeLoopbackPort();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint
                .Endpoint(new IPEndPoint(IPAddress.Loopback, Port))
                .AuthenticationRequired()
                .AllowUnsecureAuthentication())
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IMessageStore>(new Store(_messages.Writer))
            .AddSingleton<IUserAuthenticator>(new Authenticator(SignIns))
            .BuildServiceProvider();
        _server = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The user names the server saw authenticate, with whether their password was right.</summary>
    public ConcurrentQueue<(string User, bool Accepted)> SignIns { get; } = new();

    /// <summary>The app's settings to send through this server.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:SmtpHost"] = "127.0.0.1",
        ["Email:SmtpPort"] = Port.ToString(CultureInfo.InvariantCulture),
        // A test server on loopback, without a certificate; production keeps the StartTls default.
        ["Email:Security"] = "None",
        ["Email:UserName"] = UserName,
        ["Email:Password"] = Password,
        ["Email:From"] = From,
    };

    /// <summary>The next message the server accepts; fails the test after 30 s.</summary>
    public async Task<MimeMessage> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("No email reached the SMTP server within 30 s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _server;
        }
        catch (OperationCanceledException)
        {
            // The server stops by cancellation.
        }

        _stop.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(ChannelWriter<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            await messages.WriteAsync(await MimeMessage.LoadAsync(stream, cancellationToken), cancellationToken);
            return SmtpResponse.Ok;
        }
    }

    private sealed class Authenticator(ConcurrentQueue<(string User, bool Accepted)> signIns) : IUserAuthenticator
    {
        public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
        {
            var accepted = user == UserName && password == Password;
            signIns.Enqueue((user, accepted));
            return Task.FromResult(accepted);
        }
    }
}
