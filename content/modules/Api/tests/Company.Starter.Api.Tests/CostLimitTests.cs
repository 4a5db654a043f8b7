using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Company.Starter.Data;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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
/// Each protocol's attacks are in a part of this class next to that protocol's tests (CostLimitTests.Rest.cs,
/// GraphQL/CostLimitTests.GraphQL.cs, Grpc/CostLimitTests.Grpc.cs), there when the protocol is.
/// </remarks>
[Collection(nameof(CostLimitTests))]
public sealed partial class CostLimitTests(TestEnvironment environment)
{
    /// <summary>An error answer: a problem or a GraphQL error, a few hundred bytes.</summary>
    private const int MaxRefusalBytes = 2 * 1024;

    /// <summary>What one refused (or bounded) request may allocate, client and server together.</summary>
    private const long MaxAllocatedBytes = 16 * 1024 * 1024;

    /// <summary>A body far over every limit (the Api's 1 MiB, GraphQL's 64 KiB), streamed without being held in memory.</summary>
    private const long HugeBodyBytes = 64 * 1024 * 1024;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

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

    // Internal rather than private, as SeedProductsAsync: only some protocols' parts use it, and a private member that
    // no part uses would be flagged (IDE0051).
    internal static void AssertRefused(HttpResponseMessage response, byte[] body, long allocated, HttpStatusCode status, string code)
    {
        var text = Encoding.UTF8.GetString(body);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        Assert.Contains($"\"{code}\"", text, StringComparison.Ordinal);
        AssertBounded(body, allocated, MaxRefusalBytes);
    }

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

    internal static async Task SeedProductsAsync(ApiFactory api, int count)
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
