using System.Net;
using System.Text;
using Company.Starter.Data;
using Company.Starter.Data.Products;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests;

/// <summary>POSTs with an <c>Idempotency-Key</c> run once; retries get the first response again.</summary>
public sealed class IdempotencyTests(TestEnvironment environment)
{
    private const string Lamp = """{"sku":"LAMP-1","name":"Lamp","price":19.90}""";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_retry_replays_the_first_response_and_creates_nothing_more()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        using var first = await PostAsync(client, "/api/products", Lamp, "key-replay-1");
        var firstBody = await first.Content.ReadAsByteArrayAsync(CancellationToken);
        using var retry = await PostAsync(client, "/api/products", Lamp, "key-replay-1");
        var retryBody = await retry.Content.ReadAsByteArrayAsync(CancellationToken);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(first.Content.Headers.ContentType, retry.Content.Headers.ContentType);
        Assert.Equal(firstBody, retryBody);
        Assert.Equal(1, await CountProductsAsync(api));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_a_422_problem()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var first = await PostAsync(client, "/api/products", Lamp, "key-reused-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var other = await PostAsync(client, "/api/products", """{"sku":"LAMP-2","name":"Lamp","price":19.90}""", "key-reused-1");

        await other.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(1, await CountProductsAsync(api));
    }

    [Fact]
    public async Task Without_a_key_every_post_runs_and_with_one_a_sale_is_recorded_once()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var product = await PostAsync(client, "/api/products", Lamp, key: null);
        var productId = (await product.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();
        var sale = $$"""{"productId":{{productId}},"quantity":2}""";

        foreach (var key in new[] { null, null, "key-sale-1", "key-sale-1", "key-sale-1" })
        {
            using var response = await PostAsync(client, "/api/sales", sale, key);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        await using var scope = api.Services.CreateAsyncScope();
        Assert.Equal(3, await scope.ServiceProvider.GetRequiredService<AppDbContext>().Sales.CountAsync(CancellationToken));
    }

    [Fact]
    public async Task A_validation_failure_is_stored_and_replayed()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        const string invalid = """{"sku":"","name":"Lamp","price":-1}""";

        using var first = await PostAsync(client, "/api/products", invalid, "key-invalid-1");
        var firstBody = await first.Content.ReadAsByteArrayAsync(CancellationToken);
        using var retry = await PostAsync(client, "/api/products", invalid, "key-invalid-1");

        await retry.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(firstBody, await retry.Content.ReadAsByteArrayAsync(CancellationToken));
        Assert.Equal(0, await CountProductsAsync(api));
    }

    [Fact]
    public async Task A_first_attempt_that_fails_with_a_500_is_not_stored_and_the_retry_runs()
    {
        var failure = new FailOnceOnNewProduct();
        await using var api = await ApiFactory.StartAsync(
            environment,
            services => services.ConfigureDbContext<AppDbContext>((_, db) => db.AddInterceptors(failure)));
        using var client = api.CreateClient();

        using var failed = await PostAsync(client, "/api/products", Lamp, "key-failed-1");
        await failed.ReadProblemAsync(HttpStatusCode.InternalServerError, "internal_error");

        using var retry = await PostAsync(client, "/api/products", Lamp, "key-failed-1");
        await retry.ReadDataAsync(HttpStatusCode.Created);
        Assert.False(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await CountProductsAsync(api));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_product()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(client, "/api/products", Lamp, "key-race-1")));
        try
        {
            Assert.Equal(1, await CountProductsAsync(api));
            var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
            Assert.Single(created, r => !r.Headers.Contains("Idempotent-Replayed"));
            Assert.Single(created.Select(r => r.Headers.Location).Distinct());
            foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            {
                await response.ReadProblemAsync(HttpStatusCode.Conflict, "idempotency_request_in_progress");
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(" ")] // an empty value: HttpClient drops "", and HTTP trims whitespace to ""
    [InlineData("clé-1")]
    [InlineData("a\u0001b")]
    [InlineData(null)]
    public async Task A_malformed_key_is_a_400_problem(string? key)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        using var response = await PostAsync(client, "/api/products", Lamp, key ?? new string('k', 256));

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
        Assert.Equal(0, await CountProductsAsync(api));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await client.SendAsync(request, CancellationToken);
    }

    private static async Task<int> CountProductsAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Products.CountAsync(CancellationToken);
    }

    /// <summary>Fails the first save of a new product, as a lost connection or a bug would, after the key was claimed.</summary>
    private sealed class FailOnceOnNewProduct : SaveChangesInterceptor
    {
        private int _failed;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<Product>().Any(e => e.State == EntityState.Added)
                && Interlocked.Exchange(ref _failed, 1) == 0)
            {
                throw new InvalidOperationException("Simulated failure of the first attempt.");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
