using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Notifications;
using Company.Starter.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Company.Starter.Api.Tests.Orders.Notifications;

/// <summary>
/// GET /api/notifications against the real Redis: notifications published through the app's
/// <see cref="INotificationPublisher"/> reach the browser as Server-Sent Events, a reconnection resumes after its
/// Last-Event-ID, the entries of a connection that died are claimed and sent again, and a client's mistakes are 400s.
/// </summary>
public sealed class NotificationStreamTests(TestEnvironment environment)
{
    /// <summary>Short intervals, so that the tests wait for claims and heartbeats in well under a second or two.</summary>
    private static readonly Dictionary<string, string?> FastStream = new()
    {
        ["Messaging:Notifications:PollInterval"] = "00:00:00.050",
        ["Messaging:Notifications:ClaimMinIdle"] = "00:00:00.300",
        ["Messaging:Notifications:HeartbeatInterval"] = "00:00:01",
    };

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_published_notification_reaches_the_stream_with_its_id_kind_and_data()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register, FastStream);
        using var client = api.CreateClient();
        var publisher = api.Services.GetRequiredService<INotificationPublisher>();
        Assert.IsType<RedisStreamNotifications>(publisher); // replaces NoNotifications

        await using var stream = await SseClient.ConnectAsync(client, "browser-1");
        var occurredAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await publisher.PublishAsync(new Notification("order.confirmed", "order-42", "Order 42 is confirmed.", "info", occurredAt), CancellationToken);

        var received = await stream.NextAsync();
        Assert.True(StreamEntryId.TryParse(received.Id, out _), $"The event id is not a stream entry id: {received.Id}");
        Assert.Equal("order.confirmed", received.Type);
        using var data = JsonDocument.Parse(received.Data);
        Assert.Equal("order.confirmed", data.RootElement.GetProperty("kind").GetString());
        Assert.Equal("order-42", data.RootElement.GetProperty("subject").GetString());
        Assert.Equal("Order 42 is confirmed.", data.RootElement.GetProperty("message").GetString());
        Assert.Equal("info", data.RootElement.GetProperty("severity").GetString());
        Assert.Equal(occurredAt, data.RootElement.GetProperty("occurredAt").GetDateTimeOffset());

        // Acknowledged once written: nothing of the subscriber's stays pending.
        await using var redis = await WitnessAsync(api);
        var key = api.Services.GetRequiredService<NotificationStream>().Key;
        Assert.True(
            await EventuallyAsync(async () => (await redis.GetDatabase().StreamPendingAsync(key, NotificationStream.GroupOfSubscriber("browser-1"))).PendingMessageCount == 0),
            "The delivered notification stayed pending");
        errors.AssertEmpty();
    }

    [Fact]
    public async Task A_reconnection_with_Last_Event_ID_gets_the_events_after_it_and_none_before()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register, FastStream);
        using var client = api.CreateClient();
        var publisher = api.Services.GetRequiredService<INotificationPublisher>();
        await using var redis = await WitnessAsync(api);
        var key = api.Services.GetRequiredService<NotificationStream>().Key;
        var group = NotificationStream.GroupOfSubscriber("browser-2");
        var openStreams = 0L;
        using var listener = ListenTo(api.Services.GetRequiredService<IMeterFactory>(), "messaging.notifications.open_streams", value => Interlocked.Add(ref openStreams, value));

        var first = new List<SseEvent>();
        await using (var stream = await SseClient.ConnectAsync(client, "browser-2"))
        {
            foreach (var n in new[] { 1, 2, 3 })
            {
                await publisher.PublishAsync(Numbered(n), CancellationToken);
            }

            for (var i = 0; i < 3; i++)
            {
                first.Add(await stream.NextAsync());
            }
        }

        Assert.Equal(["order-1", "order-2", "order-3"], first.Select(SubjectOf));
        // The disconnected stream ended without an error and removed its consumer (it held nothing).
        Assert.True(await EventuallyAsync(() => Task.FromResult(Interlocked.Read(ref openStreams) == 0)), "The closed stream did not end on the server");
        Assert.True(await EventuallyAsync(async () => (await redis.GetDatabase().StreamConsumerInfoAsync(key, group)).Length == 0),
            "The closed connection's consumer stayed in the group");

        await publisher.PublishAsync(Numbered(4), CancellationToken);

        // The browser says it has event 1 only (2 and 3 were written, but lost on the way): it gets 2, 3 and 4, in order.
        await using (var resumed = await SseClient.ConnectAsync(client, "browser-2", lastEventId: first[0].Id))
        {
            var again = new List<SseEvent>();
            for (var i = 0; i < 3; i++)
            {
                again.Add(await resumed.NextAsync());
            }

            Assert.Equal(["order-2", "order-3", "order-4"], again.Select(SubjectOf));
            Assert.Equal([first[1].Id, first[2].Id], again.Take(2).Select(e => e.Id));

            await publisher.PublishAsync(Numbered(5), CancellationToken);
            Assert.Equal("order-5", SubjectOf(await resumed.NextAsync()));
            Assert.Empty(resumed.Drain()); // order-1 never came back
        }

        errors.AssertEmpty();
    }

    [Fact]
    public async Task Entries_a_dead_connection_read_and_never_acknowledged_are_sent_by_the_next_connection()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register, FastStream);
        using var client = api.CreateClient();
        var publisher = api.Services.GetRequiredService<INotificationPublisher>();
        await using var redis = await WitnessAsync(api);
        var key = api.Services.GetRequiredService<NotificationStream>().Key;
        var group = NotificationStream.GroupOfSubscriber("browser-3");

        var openStreams = 0L;
        using var listener = ListenTo(api.Services.GetRequiredService<IMeterFactory>(), "messaging.notifications.open_streams", value => Interlocked.Add(ref openStreams, value));

        // The subscriber's group exists (it connected once), and that connection is over on the server's side too.
        await (await SseClient.ConnectAsync(client, "browser-3")).DisposeAsync();
        Assert.True(await EventuallyAsync(() => Task.FromResult(Interlocked.Read(ref openStreams) == 0)), "The closed stream did not end on the server");

        // An API instance read two entries for it and died before it wrote them (a crash, a SIGKILL): they are pending
        // on its consumer, which nobody will ever read as again.
        await publisher.PublishAsync(Numbered(1), CancellationToken);
        await publisher.PublishAsync(Numbered(2), CancellationToken);
        var lost = await redis.GetDatabase().StreamReadGroupAsync(key, group, "crashed-instance", StreamPosition.NewMessages);
        Assert.Equal(2, lost.Length);

        // The subscriber's next connection claims them once idle for ClaimMinIdle, and sends them.
        await using var next = await SseClient.ConnectAsync(client, "browser-3");
        var claimed = new[] { await next.NextAsync(), await next.NextAsync() };
        Assert.Equal(["order-1", "order-2"], claimed.Select(SubjectOf));
        Assert.Equal(lost.Select(entry => entry.Id.ToString()), claimed.Select(e => e.Id));
        Assert.True(
            await EventuallyAsync(async () => (await redis.GetDatabase().StreamPendingAsync(key, group)).PendingMessageCount == 0),
            "The claimed entries stayed pending after they were sent");

        // New events still flow to it afterwards.
        await publisher.PublishAsync(Numbered(3), CancellationToken);
        Assert.Equal("order-3", SubjectOf(await next.NextAsync()));
        errors.AssertEmpty();
    }

    [Fact]
    public async Task A_quiet_stream_sends_heartbeat_comments()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: FastStream);
        using var client = api.CreateClient();
        await using var stream = await SseClient.ConnectAsync(client, "browser-4");

        // HeartbeatInterval is 1 s: the opening comment, then at least one more within a few seconds.
        Assert.True(await EventuallyAsync(() => Task.FromResult(stream.Comments >= 2)), $"Comments received: {stream.Comments}");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("1-2-3")]
    [InlineData("1.5-0")]
    [InlineData("99999999999999999999999-0")]
    public async Task A_malformed_Last_Event_ID_is_a_400_problem_not_an_error(string lastEventId)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications?subscriber=browser-5");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);

        using var response = await client.SendAsync(request, CancellationToken);

        await AssertProblemAsync(response, "bad_request");
        errors.AssertEmpty();
    }

    [Theory]
    [InlineData("/api/notifications")]
    [InlineData("/api/notifications?subscriber=a%20b")]
    [InlineData("/api/notifications?subscriber=%C3%BC")]
    [InlineData("/api/notifications?subscriber=0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_missing_or_bad_subscriber_is_a_400_validation_problem(string url)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        using var response = await client.GetAsync(url, CancellationToken);

        var problem = await AssertProblemAsync(response, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("subscriber", out _), problem.ToString());
        errors.AssertEmpty();
    }

    [Fact]
    public async Task Too_many_streams_of_one_subscriber_are_refused_with_429()
    {
        await using var api = await ApiFactory.StartAsync(
            environment, settings: new Dictionary<string, string?>(FastStream) { ["Messaging:Notifications:MaxStreamsPerSubscriber"] = "1" });
        using var client = api.CreateClient();
        await using var open = await SseClient.ConnectAsync(client, "browser-6");

        using var refused = await client.GetAsync("/api/notifications?subscriber=browser-6", HttpCompletionOption.ResponseHeadersRead, CancellationToken);
        await AssertProblemAsync(refused, "rate_limited", HttpStatusCode.TooManyRequests);

        // Another subscriber is not affected.
        await using var other = await SseClient.ConnectAsync(client, "browser-7");
    }

    [Fact]
    public async Task With_Redis_down_publishing_neither_throws_nor_goes_unnoticed()
    {
        // A port that refuses connections: Redis is down when the app starts and stays down.
        var redisConnectionString = await environment.Cache.GetConnectionStringAsync(CancellationToken);
        var endpoint = ConfigurationOptions.Parse(redisConnectionString).EndPoints.Single();
        await using var proxy = new TcpProxy(endpoint is DnsEndPoint dns ? dns.Host : ((IPEndPoint)endpoint).Address.ToString(), endpoint is DnsEndPoint d ? d.Port : ((IPEndPoint)endpoint).Port);
        proxy.Cut();
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(
            environment, errors.Register, new Dictionary<string, string?> { ["ConnectionStrings:redis"] = $"127.0.0.1:{proxy.Port}" });
        var failures = 0L;
        using var listener = ListenTo(api.Services.GetRequiredService<IMeterFactory>(), NotificationMetrics.PublishFailedName, value => Interlocked.Add(ref failures, value));

        var publisher = api.Services.GetRequiredService<INotificationPublisher>();
        var watch = Stopwatch.StartNew();
        await publisher.PublishAsync(Numbered(1), CancellationToken);

        Assert.Equal(1, Interlocked.Read(ref failures));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Publishing with Redis down took {watch.Elapsed}");
        errors.AssertEmpty(); // a warning, not an error: the order it describes is fine
    }

    private static Notification Numbered(int n) =>
        new("order.confirmed", $"order-{n}", $"Order {n} is confirmed.", "info", DateTimeOffset.UtcNow);

    private static string? SubjectOf(SseEvent received)
    {
        using var data = JsonDocument.Parse(received.Data);
        return data.RootElement.GetProperty("subject").GetString();
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, string code, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var body = await response.Content.ReadAsStringAsync(CancellationToken);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal("warning", problem.GetProperty("severity").GetString());
        return problem;
    }

    /// <summary>A connection of the test's own to the app's Redis, beside the app's, as a witness.</summary>
    private static async Task<ConnectionMultiplexer> WitnessAsync(ApiFactory api) =>
        await ConnectionMultiplexer.ConnectAsync(api.Services.GetRequiredService<IConfiguration>().GetConnectionString("redis")!);

    private static MeterListener ListenTo(IMeterFactory meters, string instrument, Action<long> measured)
    {
        var listener = new MeterListener
        {
            // Only this app's instrument (its meter factory), not another test's running at the same time.
            InstrumentPublished = (candidate, l) =>
            {
                if (candidate.Name == instrument && ReferenceEquals(candidate.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(candidate);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => measured(value));
        listener.Start();
        return listener;
    }

    /// <summary>Polls <paramref name="condition"/> for up to 10 s: for what the server does after the client's part.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, CancellationToken);
        }

        return false;
    }
}
