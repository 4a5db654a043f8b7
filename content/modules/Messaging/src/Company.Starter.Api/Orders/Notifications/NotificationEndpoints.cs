using System.Globalization;
using System.Net.ServerSentEvents;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Api.Orders.Notifications;

/// <summary>
/// <c>GET /api/notifications</c>: the notifications (order confirmed, fulfilment failed ...) as Server-Sent Events, for
/// the browser's toasts and live tables. Each event's <c>id</c> is its Redis stream entry id, its <c>event</c> the
/// notification's kind and its <c>data</c> the notification as JSON.
/// </summary>
/// <remarks>
/// A subscriber (a signed-in user, or a browser that names itself with <c>?subscriber=</c>: keep the id in localStorage)
/// has a durable position in the stream: what happens while it is away is sent when it comes back. EventSource
/// reconnects by itself with <c>Last-Event-ID</c>, which resumes exactly after that event. Delivery is at least once:
/// drop events whose id you have seen. Connections of one subscriber share its notifications (each goes to one of
/// them), so use one subscriber id per tab that wants them all.
/// </remarks>
public static partial class NotificationEndpoints
{
    /// <summary>The header EventSource sends on reconnection: the id of the last event it received.</summary>
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>
    /// The problem code of a 503 to a new subscriber while the stream has
    /// <see cref="NotificationOptions.MaxSubscribers"/> subscribers.
    /// </summary>
    public const string SubscribersFull = "subscribers_full";

    /// <summary>A comment line: ignored by EventSource, it keeps proxies from closing a quiet connection.</summary>
    private static readonly byte[] Heartbeat = ": heartbeat\n\n"u8.ToArray();

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var notifications = endpoints.MapVersionedGroup("/api/notifications").WithTags("Notifications");
        notifications.MapGet("/", StreamAsync).WithName("StreamNotifications")
            .WithSummary("Notifications as Server-Sent Events")
            // Public by design: a browser names itself with ?subscriber= (EventSource sends no Authorization header);
            // a signed-in user also gets the notifications addressed to them.
            .RequireAccess(EndpointAccess.Public)
            .WithDescription("Each event's id is its stream entry id (send it back as Last-Event-ID to resume), its event the notification's kind, its data the notification. Comment lines are heartbeats. Delivery is at least once: drop ids you have seen.")
            // A stream lives as long as the browser keeps it: the API's request timeout would cut it.
            .DisableRequestTimeout();
        return endpoints;
    }

    /// <summary>
    /// Streams notifications as Server-Sent Events (<c>text/event-stream</c>) until the client disconnects, with a
    /// heartbeat comment when nothing happened for a while.
    /// </summary>
    /// <param name="http">The request, for its user and its response.</param>
    /// <param name="feed">The notification stream's subscriptions.</param>
    /// <param name="options">The stream's settings (the sweep interval, as the Retry-After of a full stream).</param>
    /// <param name="logger">Where a Redis outage is reported.</param>
    /// <param name="lifetime">The app's, whose stopping ends every stream.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <param name="subscriber">Who is subscribing (1-64 letters, digits, '-' or '_'): required unless signed in.</param>
    /// <param name="lastEventId">The id of the last event received (EventSource sends it when it reconnects).</param>
    private static async Task<Results<ServerSentEventsResult<Notification>, ValidationProblem, ProblemHttpResult>> StreamAsync(
        HttpContext http,
        NotificationFeed feed,
        IOptions<NotificationOptions> options,
        ILogger<NotificationFeed> logger,
        IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken,
        string? subscriber = null,
        [FromHeader(Name = LastEventIdHeader)] string? lastEventId = null)
    {
        if (subscriber is not null && !SubscriberPattern().IsMatch(subscriber))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["subscriber"] = ["Use 1-64 letters, digits, '-' or '_'."],
            });
        }

        var userId = http.User.Identity?.IsAuthenticated == true
            ? http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? http.User.Identity.Name
            : null;
        if (userId is null && subscriber is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["subscriber"] = ["Name the subscriber (an id the browser keeps), or sign in."],
            });
        }

        StreamEntryId? resumeAfter = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            if (!StreamEntryId.TryParse(lastEventId, out var parsed))
            {
                return ProblemDetailsDefaults.Problem(
                    StatusCodes.Status400BadRequest,
                    ProblemCodes.BadRequest,
                    "The Last-Event-ID header is invalid.",
                    "Send the id of an event this stream sent (e.g. 1735689600000-0), or no Last-Event-ID to start afresh.");
            }

            resumeAfter = parsed;
        }

        var group = userId is null ? NotificationStream.GroupOfSubscriber(subscriber!) : NotificationStream.GroupOfUser(userId, subscriber);
        NotificationOpening opening;
        try
        {
            opening = await feed.OpenAsync(group, resumeAfter, cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, exception);
            http.Response.Headers.RetryAfter = "5";
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status503ServiceUnavailable,
                ProblemCodes.ServiceUnavailable,
                "Notifications are unavailable.",
                "Retry after the delay in the Retry-After header.");
        }

        if (opening.Refusal == NotificationRefusal.TooManySubscribers)
        {
            // The server is full, through no fault of this client (429 would say it sent too much): a 503 it may retry
            // once idle subscribers are swept. Known subscribers are not refused, so a returning browser is never locked out.
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.Value.SubscriberSweepInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status503ServiceUnavailable,
                SubscribersFull,
                "Notifications take no new subscribers now.",
                "The notification stream has as many subscribers as it keeps. Retry after the delay in the Retry-After header, or reuse a subscriber id this browser had.",
                severity: "warning");
        }

        if (opening.Subscription is not { } subscription)
        {
            http.Response.Headers.RetryAfter = "5";
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status429TooManyRequests,
                ProblemCodes.RateLimited,
                "This subscriber has too many notification streams open.",
                "Close a stream of this subscriber, or use a subscriber id per tab.");
        }

        // Released when the response ends, also if the stream is never enumerated.
        http.Response.RegisterForDisposeAsync(subscription);
        return TypedResults.ServerSentEvents(EventsAsync(http, subscription, lifetime));
    }

    /// <summary>
    /// The subscription's notifications as SSE items. ServerSentEventsResult writes an item, then asks for the next one:
    /// at that point the item is flushed here, and the subscription acknowledges it when asked for the next. The stream
    /// ends when the client goes away or the app stops: a stream never ends by itself, and the server's graceful
    /// shutdown would otherwise wait for every browser (EventSource reconnects, to another instance, with its
    /// Last-Event-ID).
    /// </summary>
    private static async IAsyncEnumerable<SseItem<Notification>> EventsAsync(
        HttpContext http, NotificationSubscription subscription, IHostApplicationLifetime lifetime)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ended.Token;
        await using var reader = subscription.ReadAllAsync(aborted).GetAsyncEnumerator(aborted);
        while (await NextAsync(reader, aborted))
        {
            if (reader.Current is not { } item)
            {
                // The formatter is waiting for the next item, so the response is ours to write a comment to.
                if (!await WriteAsync(http.Response, Heartbeat, aborted))
                {
                    yield break;
                }

                continue;
            }

            yield return new SseItem<Notification>(item.Notification, item.Notification.Kind) { EventId = item.Id };

            // Written by the formatter; flushed before the subscription acknowledges it (on the next MoveNext).
            if (!await WriteAsync(http.Response, [], aborted))
            {
                yield break;
            }
        }
    }

    /// <summary>The next item; false when the client went away (not an error: that is how every stream ends).</summary>
    private static async Task<bool> NextAsync(IAsyncEnumerator<NotificationEvent?> reader, CancellationToken aborted)
    {
        try
        {
            return await reader.MoveNextAsync();
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<bool> WriteAsync(HttpResponse response, byte[] bytes, CancellationToken aborted)
    {
        try
        {
            if (bytes.Length > 0)
            {
                await response.Body.WriteAsync(bytes, aborted);
            }

            await response.Body.FlushAsync(aborted);
            return !aborted.IsCancellationRequested;
        }
        catch (Exception exception) when (aborted.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SubscriberPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; a notification stream was refused with 503")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);
}
