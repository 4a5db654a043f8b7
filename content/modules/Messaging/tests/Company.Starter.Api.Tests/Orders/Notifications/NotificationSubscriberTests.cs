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
/// The subscriber groups stay bounded, against the real Redis: a subscriber not seen for SubscriberIdleTimeout loses its
/// consumer group to the sweep while one with a stream open keeps it, and past MaxSubscribers a new subscriber is
/// refused with a 503 problem while known ones keep connecting. The app's clock is a <see cref="ManualClock"/>: a day
/// of idleness passes when the test says so.
/// </summary>
public sealed class NotificationSubscriberTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    /// <summary>A day and a minute: past the default SubscriberIdleTimeout of one day.</summary>
    private static readonly TimeSpan PastIdleTimeout = TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_subscriber_gone_for_the_idle_timeout_loses_its_group_and_one_with_a_stream_open_keeps_it()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var errors = new ErrorLog();
        // The background sweep waits a day (of real time): the test sweeps when it chooses.
        await using var api = await StartAsync(clock, errors, ("Messaging:Notifications:SubscriberSweepInterval", "1.00:00:00"));
        using var client = api.CreateClient();
        var (key, subscribersKey) = KeysOf(api);
        await using var redis = await WitnessAsync(api);
        var database = redis.GetDatabase();
        var openStreams = 0L;
        using var listener = ListenTo(api, "messaging.notifications.open_streams", value => Interlocked.Add(ref openStreams, value));

        // A browser that came once and left; a group made by an older version of the app, which nothing tracked.
        await (await SseClient.ConnectAsync(client, "gone-1")).DisposeAsync();
        Assert.True(await EventuallyAsync(() => Task.FromResult(Interlocked.Read(ref openStreams) == 0)), "The closed stream did not end on the server");
        await database.StreamCreateConsumerGroupAsync(key, NotificationStream.GroupOfSubscriber("legacy-1"), StreamPosition.NewMessages);
        await using var live = await SseClient.ConnectAsync(client, "live-1");

        var subscribers = api.Services.GetRequiredService<NotificationSubscribers>();
        Assert.Equal(0, await subscribers.SweepAsync(CancellationToken)); // nobody is idle yet
        Assert.NotNull(await database.SortedSetScoreAsync(subscribersKey, NotificationStream.GroupOfSubscriber("legacy-1"))); // now tracked

        clock.Advance(PastIdleTimeout);
        // The open stream marks its subscriber seen on its next poll (every RefreshInterval of the app's clock).
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.True(
            await EventuallyAsync(async () => await database.SortedSetScoreAsync(subscribersKey, NotificationStream.GroupOfSubscriber("live-1")) >= now),
            "The open stream did not mark its subscriber seen");

        Assert.Equal(2, await subscribers.SweepAsync(CancellationToken));

        Assert.Equal([NotificationStream.GroupOfSubscriber("live-1")], (await database.StreamGroupInfoAsync(key)).Select(group => group.Name!));
        Assert.Equal([NotificationStream.GroupOfSubscriber("live-1")], (await database.SortedSetRangeByRankAsync(subscribersKey)).Select(member => member.ToString()));

        // The kept subscriber still gets its notifications; the swept one starts afresh when it comes back.
        var publisher = api.Services.GetRequiredService<INotificationPublisher>();
        await publisher.PublishAsync(Numbered(1), CancellationToken);
        Assert.Equal("order-1", SubjectOf(await live.NextAsync()));
        await using var back = await SseClient.ConnectAsync(client, "gone-1");
        await publisher.PublishAsync(Numbered(2), CancellationToken);
        Assert.Equal("order-2", SubjectOf(await back.NextAsync()));
        errors.AssertEmpty();
    }

    [Fact]
    public async Task The_background_sweep_destroys_idle_groups_by_itself()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var errors = new ErrorLog();
        await using var api = await StartAsync(clock, errors, ("Messaging:Notifications:SubscriberSweepInterval", "00:00:01"));
        using var client = api.CreateClient();
        var (key, _) = KeysOf(api);
        await using var redis = await WitnessAsync(api);
        var openStreams = 0L;
        using var listener = ListenTo(api, "messaging.notifications.open_streams", value => Interlocked.Add(ref openStreams, value));
        await (await SseClient.ConnectAsync(client, "gone-2")).DisposeAsync();
        Assert.True(await EventuallyAsync(() => Task.FromResult(Interlocked.Read(ref openStreams) == 0)), "The closed stream did not end on the server");
        Assert.Single(await redis.GetDatabase().StreamGroupInfoAsync(key));

        clock.Advance(PastIdleTimeout);

        Assert.True(
            await EventuallyAsync(async () => (await redis.GetDatabase().StreamGroupInfoAsync(key)).Length == 0),
            "The idle subscriber's group was not swept");
        errors.AssertEmpty();
    }

    [Fact]
    public async Task Past_MaxSubscribers_a_new_subscriber_is_refused_with_503_and_known_ones_still_connect()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var errors = new ErrorLog();
        await using var api = await StartAsync(
            clock,
            errors,
            ("Messaging:Notifications:MaxSubscribers", "2"),
            ("Messaging:Notifications:SubscriberSweepInterval", "1.00:00:00"));
        using var client = api.CreateClient();
        var (key, subscribersKey) = KeysOf(api);
        await using var redis = await WitnessAsync(api);
        var refusals = 0L;
        using var refused = ListenTo(api, NotificationMetrics.SubscribersRefusedName, value => Interlocked.Add(ref refusals, value));
        var openStreams = 0L;
        using var open = ListenTo(api, "messaging.notifications.open_streams", value => Interlocked.Add(ref openStreams, value));

        await using var first = await SseClient.ConnectAsync(client, "cap-1");
        await (await SseClient.ConnectAsync(client, "cap-2")).DisposeAsync();

        using (var response = await client.GetAsync("/api/notifications?subscriber=cap-3", HttpCompletionOption.ResponseHeadersRead, CancellationToken))
        {
            // Checked before the body is read: an admitted subscriber's body is an endless stream.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(CancellationToken);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("subscribers_full", problem.RootElement.GetProperty("code").GetString());
            Assert.Equal("warning", problem.RootElement.GetProperty("severity").GetString());
            Assert.Equal("86400", response.Headers.GetValues("Retry-After").Single()); // the sweep interval
        }

        Assert.Equal(1, Interlocked.Read(ref refusals));
        Assert.Equal(2, (await redis.GetDatabase().StreamGroupInfoAsync(key)).Length); // nothing was created for it

        // Known subscribers are admitted at the cap: a second tab of one, and one coming back.
        await using var second = await SseClient.ConnectAsync(client, "cap-1");
        await (await SseClient.ConnectAsync(client, "cap-2")).DisposeAsync();
        Assert.True(await EventuallyAsync(() => Task.FromResult(Interlocked.Read(ref openStreams) == 2)), "The closed stream did not end on the server");

        // Once the one that left is swept, there is room again (cap-1, whose streams are open, is kept).
        clock.Advance(PastIdleTimeout);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.True(
            await EventuallyAsync(async () => await redis.GetDatabase().SortedSetScoreAsync(subscribersKey, NotificationStream.GroupOfSubscriber("cap-1")) >= now),
            "The open streams did not mark their subscriber seen");
        Assert.Equal(1, await api.Services.GetRequiredService<NotificationSubscribers>().SweepAsync(CancellationToken));
        await using var admitted = await SseClient.ConnectAsync(client, "cap-3");
        Assert.Equal(
            [NotificationStream.GroupOfSubscriber("cap-1"), NotificationStream.GroupOfSubscriber("cap-3")],
            (await redis.GetDatabase().StreamGroupInfoAsync(key)).Select(group => group.Name!).Order(StringComparer.Ordinal));
        errors.AssertEmpty();
    }

    /// <summary>The app on <paramref name="clock"/>, with streams that poll fast, and <paramref name="settings"/>.</summary>
    private Task<ApiFactory> StartAsync(ManualClock clock, ErrorLog errors, params (string Key, string Value)[] settings) =>
        ApiFactory.StartAsync(
            environment,
            services =>
            {
                errors.Register(services);
                services.AddSingleton<TimeProvider>(clock);
            },
            new Dictionary<string, string?>(settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)))
            {
                ["Messaging:Notifications:PollInterval"] = "00:00:00.050",
                ["Messaging:Notifications:ClaimMinIdle"] = "00:00:00.300",
            });

    private static (RedisKey Stream, RedisKey Subscribers) KeysOf(ApiFactory api)
    {
        var stream = api.Services.GetRequiredService<NotificationStream>();
        return (stream.Key, stream.SubscribersKey);
    }

    private static Notification Numbered(int n) =>
        new("order.confirmed", $"order-{n}", $"Order {n} is confirmed.", "info", DateTimeOffset.UtcNow);

    private static string? SubjectOf(SseEvent received)
    {
        using var data = JsonDocument.Parse(received.Data);
        return data.RootElement.GetProperty("subject").GetString();
    }

    /// <summary>A connection of the test's own to the app's Redis, beside the app's, as a witness.</summary>
    private static async Task<ConnectionMultiplexer> WitnessAsync(ApiFactory api) =>
        await ConnectionMultiplexer.ConnectAsync(api.Services.GetRequiredService<IConfiguration>().GetConnectionString("redis")!);

    private static MeterListener ListenTo(ApiFactory api, string instrument, Action<long> measured)
    {
        var meters = api.Services.GetRequiredService<IMeterFactory>();
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
