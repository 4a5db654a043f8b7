using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Company.Starter.Api.Tests.Orders.Notifications;

/// <summary>One event as a browser's EventSource would see it.</summary>
public sealed record SseEvent(string? Id, string Type, string Data);

/// <summary>
/// A Server-Sent Events client over the test server, parsing the stream as EventSource does (id, event, data fields,
/// comment lines, a blank line ends an event). Dispose it to disconnect, as a closed tab would.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _reading = new();
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private readonly Task _reader;
    private int _comments;

    private SseClient(HttpResponseMessage response)
    {
        _response = response;
        _reader = ReadAsync();
    }

    /// <summary>Comment lines received so far (the first one when the stream opened, then heartbeats).</summary>
    public int Comments => Volatile.Read(ref _comments);

    /// <summary>Opens the stream and waits for its headers; fails unless it answered 200 text/event-stream.</summary>
    public static async Task<SseClient> ConnectAsync(HttpClient client, string subscriber, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/notifications?subscriber={subscriber}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseClient(response);
    }

    /// <summary>The next event, failing after <paramref name="timeout"/> (10 s by default) without one.</summary>
    public async Task<SseEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _events.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No event within {timeout ?? TimeSpan.FromSeconds(10)}");
        }
    }

    /// <summary>Events already received and not yet read, without waiting.</summary>
    public List<SseEvent> Drain()
    {
        var events = new List<SseEvent>();
        while (_events.Reader.TryRead(out var next))
        {
            events.Add(next);
        }

        return events;
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_reading.Token);
            using var reader = new StreamReader(body, Encoding.UTF8);
            string? id = null, type = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_reading.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        await _events.Writer.WriteAsync(new SseEvent(id, type ?? "message", data.ToString()));
                    }

                    id = type = null;
                    data.Clear();
                }
                else if (line.StartsWith(':'))
                {
                    Interlocked.Increment(ref _comments);
                }
                else
                {
                    var colon = line.IndexOf(':');
                    var field = colon < 0 ? line : line[..colon];
                    var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
                    switch (field)
                    {
                        case "id": id = value; break;
                        case "event": type = value; break;
                        case "data": data.Append(data.Length > 0 ? "\n" : string.Empty).Append(value); break;
                    }
                }
            }

            _events.Writer.TryComplete();
        }
        catch (Exception exception) when (_reading.IsCancellationRequested)
        {
            _events.Writer.TryComplete(exception); // disconnected by the test
        }
        catch (Exception exception)
        {
            _events.Writer.TryComplete(exception); // surfaces in NextAsync
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reading.CancelAsync();
        _response.Dispose();
        try
        {
            await _reader;
        }
        finally
        {
            _reading.Dispose();
        }
    }
}
