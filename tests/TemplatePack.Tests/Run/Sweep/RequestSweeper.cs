using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Sends a sweep's requests with a fixed number of workers until done or the deadline, and judges each answer with
/// <see cref="ErrorContract"/>. Each request carries a W3C traceparent with a trace id derived from the seed and its
/// index, so an error-level log line the app writes while handling it names the request (<see cref="AppLog"/>).
/// </summary>
public static class RequestSweeper
{
    public static async Task<List<SweepOutcome>> SendAsync(
        Uri baseAddress, string? accessToken, IReadOnlyList<BadRequest> requests, int seed, int workers, TimeSpan deadline, TimeSpan requestTimeout,
        CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = workers,
            AllowAutoRedirect = false,
            // Header values go out as Latin-1 bytes, so a garbage If-Match with non-ASCII bytes reaches the server
            // (by default HttpClient refuses to send it at all).
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = requestTimeout };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var outcomes = new ConcurrentBag<SweepOutcome>();
        var next = -1;

        async Task Worker()
        {
            int index;
            while (!timeout.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < requests.Count)
            {
                try
                {
                    outcomes.Add(await SendOneAsync(client, index, requests[index], TraceId(seed, index), timeout.Token));
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    return; // out of time: the caller's count check reports how far the sweep got
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker)));
        return [.. outcomes.OrderBy(o => o.Index)];
    }

    /// <summary>32 hex digits: the seed, then the request's index (never all zeros, which W3C forbids).</summary>
    public static string TraceId(int seed, int index) =>
        seed.ToString("x8", CultureInfo.InvariantCulture) + (index + 1).ToString("x24", CultureInfo.InvariantCulture);

    private static async Task<SweepOutcome> SendOneAsync(HttpClient client, int index, BadRequest request, string traceId, CancellationToken deadline)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var message = request.ToMessage();
            message.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
            using var response = await client.SendAsync(message, deadline);
            // Decoded by the response's charset: an error written as UTF-16 for a UTF-16 request is still well-formed.
            var text = await response.Content.ReadAsStringAsync(deadline);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var status = (int)response.StatusCode;
            return new SweepOutcome(index, request, status, mediaType, text, ErrorContract.Violation(request, status, mediaType, text, response.Headers.ConnectionClose == true), clock.Elapsed, traceId);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !deadline.IsCancellationRequested)
        {
            // No HTTP answer at all (connection reset, timeout): as much a failure as a 5xx.
            return new SweepOutcome(index, request, 0, null, "", $"no HTTP answer: {e.GetType().Name}: {e.Message}", clock.Elapsed, traceId);
        }
    }
}
