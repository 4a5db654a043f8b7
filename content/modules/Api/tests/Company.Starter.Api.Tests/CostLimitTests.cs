using System.Net;
using System.Net.Http.Headers;
#if (UseRest || UseGraphQL)
using System.Text;
#endif
#if (UseGraphQL)
using Company.Starter.Api.Tests.GraphQL;
#endif
#if (UseGrpc)
using Company.Starter.Api.Grpc;
using Company.Starter.Api.Tests.Grpc;
#endif
#if (UseRest || UseGrpc)
using Company.Starter.Data;
using Company.Starter.Data.Products;
#endif
using Company.Starter.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
#if (UseRest || UseGrpc)
using Microsoft.Extensions.DependencyInjection;
#endif

namespace Company.Starter.Api.Tests;

/// <summary>
/// Abuse of each protocol's cost limits, measured by what it costs the server, not only by the status: every attack
/// is answered with a bounded body, and the whole exchange allocates a bounded number of bytes.
/// </summary>
/// <remarks>
/// Allocation is measured with <see cref="GC.GetTotalAllocatedBytes"/>, which counts the whole process (the in-memory
/// server, the client, anything else running), so these tests run alone, after a warm-up request of the same kind.
/// The bounds are an order of magnitude above what the refusals cost (well under 1 MB each) and far under what the
/// attacks cost without their limits (the GraphQL introspection attack: about 70 MB allocated for a 5 MB answer).
/// </remarks>
[Collection(nameof(CostLimitTests))]
public sealed class CostLimitTests(TestEnvironment environment)
{
    /// <summary>An error answer: a problem or a GraphQL error, a few hundred bytes.</summary>
    private const int MaxRefusalBytes = 2 * 1024;

    /// <summary>What one refused (or bounded) request may allocate, client and server together.</summary>
    private const long MaxAllocatedBytes = 16 * 1024 * 1024;

    /// <summary>A body far over every limit (the Api's 1 MiB, GraphQL's 64 KiB), streamed without being held in memory.</summary>
    private const long HugeBodyBytes = 64 * 1024 * 1024;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;
#if (UseRest)

    [Fact]
    public async Task Rest_an_oversized_body_is_refused_without_being_read()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = UploadClient(api);
        await WarmUpAsync(client);
        var upload = new FillerStream("{\"sku\":\""u8.ToArray(), (byte)'a', HugeBodyBytes, seekable: true);

        var (response, body, allocated) = await MeasureAsync(() =>
            client.PostAsync("/api/products", FillerStream.Content(upload, "application/json"), CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        AssertReadAtMost(upload, 0);
    }

    [Fact]
    public async Task Rest_a_deeply_nested_body_is_refused_cheaply()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await WarmUpAsync(client);
        // 500,000 levels of arrays in 1 MB: the JSON reader stops at its depth limit (64) instead of building them.
        var nested = "{\"sku\":" + new string('[', 500_000) + "}";

        var (response, body, allocated) = await MeasureAsync(() =>
            client.PostAsync("/api/products", new StringContent(nested, Encoding.UTF8, "application/json"), CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "bad_request");
    }

    [Theory]
    [InlineData("limit=2147483647")]
    [InlineData("limit=1000000000000")]
    public async Task Rest_a_huge_page_size_is_refused(string query)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await WarmUpAsync(client);

        var (response, body, allocated) = await MeasureAsync(() => client.GetAsync($"/api/products?{query}", CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Rest_thousands_of_query_parameters_still_get_one_bounded_page()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        await SeedProductsAsync(api, ProductCatalog.MaxPageSize + 50);
        using var client = api.CreateClient();
        await WarmUpAsync(client);
        var parameters = string.Join("&", Enumerable.Range(0, 2_000).Select(i => $"p{i}=1"));

        var (response, body, allocated) = await MeasureAsync(() => client.GetAsync($"/api/products?limit={ProductCatalog.MaxPageSize}&{parameters}", CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("data");
        Assert.Equal(ProductCatalog.MaxPageSize, page.GetArrayLength());
        AssertBounded(body, allocated, ProductCatalog.MaxPageSize * 512);
    }
#endif
#if (UseGraphQL)

    [Fact]
    public async Task GraphQL_the_introspection_attack_is_refused_small_and_cheap()
    {
        // Introspection on, as in Development: the limits must hold where it is answered.
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?> { ["GraphQL:EnableIntrospection"] = "true" });
        using var client = api.CreateClient();
        await client.QueryAsync("{ __schema { queryType { name } } }");

        var (response, body, allocated) = await MeasureAsync(() => client.PostGraphQLAsync(GraphQLLimitTests.IntrospectionAttack));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "query_too_many_fields");
    }

    [Fact]
    public async Task GraphQL_a_huge_page_is_refused_before_the_database()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await client.QueryAsync("{ products(first: 1) { nodes { id } } }");

        var (response, body, allocated) = await MeasureAsync(() =>
            client.PostGraphQLAsync("{ products(first: 2147483647) { nodes { id name sales(last: 100) { quantity } } } }"));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "query_too_complex");
    }

    [Fact]
    public async Task GraphQL_an_oversized_body_is_refused_after_reading_no_more_than_the_limit()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = UploadClient(api);
        await client.QueryAsync("{ __typename }");

        // No Content-Length: the endpoint has to stop reading by itself.
        var upload = new FillerStream("{\"query\":\"{ __typename }\",\"x\":\""u8.ToArray(), (byte)'a', HugeBodyBytes, seekable: false);
        var (response, body, allocated) = await MeasureAsync(() => client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/graphql")
            {
                Content = FillerStream.Content(upload, "application/json"),
                Headers = { Accept = { new MediaTypeWithQualityHeaderValue(GraphQLClient.ResponseMediaType) } },
            },
            CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        AssertReadAtMost(upload, 64 * 1024 + 1);
    }
#endif
#if (UseGrpc)

    [Fact]
    public async Task Grpc_an_oversized_message_is_refused_from_its_declared_length()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        await new Catalog.CatalogClient(channel).ListProductsAsync(new ListProductsRequest { PageSize = 1 }, cancellationToken: CancellationToken);
        using var client = UploadClient(api);

        // One gRPC frame of 64 MB, streamed: the server must refuse it from the length in its header.
        var frame = new byte[5];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)HugeBodyBytes);
        var upload = new FillerStream(frame, 0, frame.Length + HugeBodyBytes, seekable: false);
        var (response, body, allocated) = await MeasureAsync(() => client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"/{Catalog.Descriptor.FullName}/CreateProduct")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = FillerStream.Content(upload, "application/grpc"),
                Headers = { TE = { new TransferCodingWithQualityHeaderValue("trailers") } },
            },
            CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A call that fails before its first message is "trailers-only": the status comes in the headers.
        var status = response.Headers.TryGetValues("grpc-status", out var values) ? values : response.TrailingHeaders.GetValues("grpc-status");
        Assert.Equal(((int)global::Grpc.Core.StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(status));
        AssertBounded(body, allocated, MaxRefusalBytes);
        AssertReadAtMost(upload, frame.Length);
    }

    [Fact]
    public async Task Grpc_a_huge_page_size_gets_one_bounded_page()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        await SeedProductsAsync(api, ProductCatalog.MaxPageSize + 50);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);
        await client.ListProductsAsync(new ListProductsRequest { PageSize = 1 }, cancellationToken: CancellationToken);

        ListProductsResponse? page = null;
        var allocated = await MeasureAllocationAsync(async () =>
            page = await client.ListProductsAsync(new ListProductsRequest { PageSize = int.MaxValue }, cancellationToken: CancellationToken));
        Assert.NotNull(page);
        TestContext.Current.TestOutputHelper?.WriteLine($"Answered {page.Products.Count} products in {page.CalculateSize():N0} bytes; {allocated:N0} bytes allocated.");

        // Clamped to the largest page (AIP-158), not refused: a client asking for "everything" gets a page and a token.
        Assert.Equal(ProductCatalog.MaxPageSize, page.Products.Count);
        Assert.NotEmpty(page.NextPageToken);
        Assert.True(page.CalculateSize() < ProductCatalog.MaxPageSize * 512, $"The page is {page.CalculateSize()} bytes.");
        Assert.True(allocated < MaxAllocatedBytes, $"The call allocated {allocated:N0} bytes.");
    }
#endif

    /// <summary>Sends one request and reads its whole answer; returns the bytes allocated process-wide meanwhile.</summary>
    private static async Task<(HttpResponseMessage Response, byte[] Body, long Allocated)> MeasureAsync(Func<Task<HttpResponseMessage>> send)
    {
        HttpResponseMessage? response = null;
        var body = Array.Empty<byte>();
        var allocated = await MeasureAllocationAsync(async () =>
        {
            response = await send();
            body = await response.Content.ReadAsByteArrayAsync(CancellationToken);
        });
        Assert.NotNull(response);
        TestContext.Current.TestOutputHelper?.WriteLine($"Answered {(int)response.StatusCode} with {body.Length:N0} bytes; {allocated:N0} bytes allocated.");
        return (response, body, allocated);
    }

    /// <summary>
    /// The bytes allocated process-wide while <paramref name="work"/> runs. Collected first, so that a collection
    /// owed by earlier work does not land in the window.
    /// </summary>
    private static async Task<long> MeasureAllocationAsync(Func<Task> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await work();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

#if (UseRest || UseGraphQL)
    private static void AssertRefused(HttpResponseMessage response, byte[] body, long allocated, HttpStatusCode status, string code)
    {
        var text = Encoding.UTF8.GetString(body);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        Assert.Contains($"\"{code}\"", text, StringComparison.Ordinal);
        AssertBounded(body, allocated, MaxRefusalBytes);
    }
#endif

    private static void AssertBounded(byte[] body, long allocated, int maxBodyBytes)
    {
        Assert.True(body.Length <= maxBodyBytes, $"The answer is {body.Length:N0} bytes; the bound is {maxBodyBytes:N0}.");
        Assert.True(allocated < MaxAllocatedBytes, $"The exchange allocated {allocated:N0} bytes; the bound is {MaxAllocatedBytes:N0}.");
    }

    /// <summary>
    /// A client that sends a body as it is read: the default one would copy it first, to resend it on a redirect.
    /// </summary>
    private static HttpClient UploadClient(ApiFactory api) => api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>
    /// The server read no more than <paramref name="bytes"/> of the body: what the upload handed over, less the 64 KB
    /// the in-memory server takes ahead of the app (and one more 64 KB read in flight).
    /// </summary>
    private static void AssertReadAtMost(FillerStream upload, long bytes) =>
        Assert.True(upload.Sent <= bytes + 2 * 64 * 1024 + 4096, $"The server was handed {upload.Sent:N0} bytes of the body; it needs at most {bytes:N0}.");
#if (UseRest)

    /// <summary>First requests load code and fill caches: not part of what an attack costs.</summary>
    private static async Task WarmUpAsync(HttpClient client)
    {
        using var warmUp = await client.GetAsync("/api/products?limit=1", CancellationToken);
        Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
    }
#endif
#if (UseRest || UseGrpc)

    private static async Task SeedProductsAsync(ApiFactory api, int count)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = DateTime.UtcNow;
        db.Products.AddRange(Enumerable.Range(0, count).Select(i => new Data.Products.Product
        {
            Sku = $"COST-{i:D4}",
            Name = $"Product {i:D4}",
            Price = 1,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        }));
        await db.SaveChangesAsync(CancellationToken);
    }
#endif

    /// <summary>
    /// A request body of <paramref name="length"/> bytes, <paramref name="prefix"/> then <paramref name="filler"/>,
    /// made up as it is read, so the client never holds it. Seekable, it has a length (sent as Content-Length);
    /// otherwise it is streamed. <see cref="Sent"/> is how much the server was handed before it stopped reading: the
    /// in-memory server takes 64 KB ahead of the app, then waits for the app to read.
    /// </summary>
    private sealed class FillerStream(byte[] prefix, byte filler, long length, bool seekable) : Stream
    {
        private long _position;

        public long Sent => Interlocked.Read(ref _position);

        public override bool CanRead => true;

        public override bool CanSeek => seekable;

        public override bool CanWrite => false;

        public override long Length => seekable ? length : throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public static StreamContent Content(FillerStream body, string mediaType)
        {
            var content = new StreamContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return content;
        }

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _position);
            var fromPrefix = (int)Math.Clamp(prefix.Length - _position, 0, count);
            if (fromPrefix > 0)
            {
                prefix.AsSpan((int)_position, fromPrefix).CopyTo(buffer);
            }

            buffer[fromPrefix..count].Fill(filler);
            Interlocked.Add(ref _position, count);
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) =>
            seekable && origin == SeekOrigin.Begin && offset == _position ? _position : throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Allocation is counted process-wide: nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(CostLimitTests), DisableParallelization = true)]
public sealed class CostLimitTestsCollection;
