using System.Net;
using System.Net.Http.Headers;
using Company.Starter.Api.Grpc;
using Company.Starter.Api.Tests.Grpc;
using Company.Starter.Data.Products;

namespace Company.Starter.Api.Tests;

public sealed partial class CostLimitTests
{
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
}
