using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Run;
using static TemplatePack.Tests.Run.HttpJson;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The generated Api under a deterministic sweep of malformed requests (broken JSON, wrong types, huge bodies, odd
/// unicode, bad cursors/ids/queries, wrong content types and methods, garbage If-Match, and GraphQL / transcoded gRPC
/// garbage where the scenario has them). Every answer must be a client error in the surface's own error format, never
/// a 5xx; afterwards the app must be healthy and the one product it acknowledged must be intact.
/// </summary>
[Trait("Tier", "run")]
public sealed class MalformedRequestTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private const int Seed = 20_261_126;
    private const int RequestCount = 1_300;
    private const int Workers = 8;
    private const int MaxReported = 20;
    private static readonly TimeSpan SweepDeadline = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    // Same code, two providers: PostgreSQL with every protocol, and SQLite with REST only.
    public static TheoryData<string> ScenarioIds => new("api-all-protocols", "databases-sqlite", "security-default");

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Malformed_requests_get_client_errors_in_the_error_contract(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        // One client sends everything: throttling would answer 429 in place of the answers under test.
        await using var running = await ScenarioApp.StartAsync(fixture, scenario, "sweep", new Dictionary<string, string?>
        {
            ["Api__RateLimitBurst"] = "1000000",
            ["Api__RateLimitPerPeriod"] = "1000000",
            ["Security__Passwords__AttemptsPerWindow"] = "100000",
        });
        var app = running.Host;
        try
        {
            using var seed = await app.Client.PostAsync("/api/products", new StringContent("""{"sku":"SWEEP-SEED","name":"Sweep seed","price":12.34}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            var seeded = await AssertSuccessAsync(seed, HttpStatusCode.Created);
            var seededId = Property(seeded, "id").GetInt64();
            var seededVersion = Property(seeded, "version").GetInt64();

            var corpus = new BadRequestCorpus(
                Seed, seededId, graphQL: scenario.Args.Contains("graphql"), grpc: scenario.Args.Contains("grpc"), auth: scenario.UsesAuth, passkeys: scenario.UsesPasskeys);
            var requests = corpus.Generate(RequestCount);
            // Signed in where the app has users, so that bodies reach validation rather than stopping at 401.
            var outcomes = await SweepAsync(app.BaseAddress, app.AccessToken, requests);

            Report(corpus.Categories, outcomes);
            Assert.True(outcomes.Count == requests.Count, $"The sweep answered {outcomes.Count} of {requests.Count} requests within {SweepDeadline.TotalMinutes} minutes.");
            var offending = outcomes.Where(o => o.Violation is not null).OrderBy(o => o.Index).ToList();
            // Every distinct kind of offence in the output (the assertion message stops at MaxReported).
            foreach (var kind in offending.GroupBy(o => (o.Request.Category, o.Request.Method, o.Status, o.Violation)).Take(100))
            {
                output.WriteLine($"Offence ×{kind.Count()}: {kind.First().Describe()}");
            }

            Assert.True(offending.Count == 0,
                $"{offending.Count} of {outcomes.Count} malformed requests broke the error contract; the first {Math.Min(MaxReported, offending.Count)}:\n" +
                string.Join("\n", offending.Take(MaxReported).Select(o => o.Describe())));

            await StillServes(app.Client, seededId, seededVersion);
        }
        catch (Exception)
        {
            output.WriteLine("App output:\n" + app.Output);
            throw;
        }
    }

    /// <summary>Sends the requests with a fixed number of workers, until done or the deadline; one outcome per answered request.</summary>
    private static async Task<List<Outcome>> SweepAsync(Uri baseAddress, string? accessToken, List<BadRequest> requests)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Workers,
            AllowAutoRedirect = false,
            // Header values go out as Latin-1 bytes, so a garbage If-Match with non-ASCII bytes reaches the server
            // (by default HttpClient refuses to send it at all).
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = RequestTimeout };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(SweepDeadline);
        var outcomes = new ConcurrentBag<Outcome>();
        var next = -1;

        async Task Worker()
        {
            int index;
            while (!deadline.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < requests.Count)
            {
                try
                {
                    outcomes.Add(await SendAsync(client, index, requests[index], deadline.Token));
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    return; // out of time: the count check reports how far the sweep got
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(Worker)));
        return [.. outcomes];
    }

    private static async Task<Outcome> SendAsync(HttpClient client, int index, BadRequest request, CancellationToken deadline)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var message = request.ToMessage();
            using var response = await client.SendAsync(message, deadline);
            // Decoded by the response's charset: an error written as UTF-16 for a UTF-16 request is still well-formed.
            var text = await response.Content.ReadAsStringAsync(deadline);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var status = (int)response.StatusCode;
            return new Outcome(index, request, status, mediaType, text, ErrorContract.Violation(request, status, mediaType, text), clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !deadline.IsCancellationRequested)
        {
            // No HTTP answer at all (connection reset, timeout): as much a failure as a 5xx.
            return new Outcome(index, request, 0, null, "", $"no HTTP answer: {e.GetType().Name}: {e.Message}", clock.Elapsed);
        }
    }

    private void Report(IReadOnlyList<string> categories, List<Outcome> outcomes)
    {
        output.WriteLine($"Sweep: {outcomes.Count} requests, {outcomes.Count(o => o.Violation is not null)} violations, slowest {outcomes.Max(o => o.Elapsed).TotalMilliseconds:F0} ms.");
        foreach (var category in categories)
        {
            var of = outcomes.Where(o => o.Request.Category == category).ToList();
            var statuses = string.Join(", ", of.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
            output.WriteLine($"  {category,-22} {of.Count,5}  violations {of.Count(o => o.Violation is not null),4}  [{statuses}]");
        }

        output.WriteLine("Status histogram: " + string.Join(", ", outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "none" : g.Key)}: {g.Count()}")));
    }

    /// <summary>After the sweep: healthy, and the product acknowledged before it is exactly as created.</summary>
    private static async Task StillServes(HttpClient client, long seededId, long seededVersion)
    {
        using (var health = await client.GetAsync("/health", TestContext.Current.CancellationToken))
        {
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"/health after the sweep → {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }

        using var fetched = await client.GetAsync($"/api/products/{seededId}", TestContext.Current.CancellationToken);
        var product = await AssertSuccessAsync(fetched, HttpStatusCode.OK);
        Assert.Equal("SWEEP-SEED", Property(product, "sku").GetString());
        Assert.Equal("Sweep seed", Property(product, "name").GetString());
        Assert.Equal(12.34m, Property(product, "price").GetDecimal());
        Assert.Equal(seededVersion, Property(product, "version").GetInt64());
    }

    private sealed record Outcome(int Index, BadRequest Request, int Status, string? MediaType, string Body, string? Violation, TimeSpan Elapsed)
    {
        public string Describe() =>
            $"#{Index} {Request}\n    → {(Status == 0 ? "no answer" : Status.ToString())} {MediaType ?? "(no content type)"} " +
            $"{BadRequest.Excerpt(Encoding.UTF8.GetBytes(Body), 300)}\n    ✗ {Violation}";
    }
}
