using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Company.Starter.Api.Grpc;
using Company.Starter.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Company.Starter.Api.Tests.Grpc;

/// <summary>gRPC writes follow the REST rules: signed in to create, admins to delete; over HTTP/2 and as transcoded JSON.</summary>
public sealed class GrpcAuthorizationTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_write_without_a_token_is_unauthenticated()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcChannel.ForAddress(api.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = api.Server.CreateHandler() });
        var client = new Catalog.CatalogClient(channel);

        await GrpcTesting.AssertFailsAsync(StatusCode.Unauthenticated, async () =>
            await client.CreateProductAsync(new CreateProductRequest { Sku = "ANON-1", Name = "Anonymous", Price = "1" }, cancellationToken: CancellationToken));

        // Reads stay public.
        var page = await client.ListProductsAsync(new ListProductsRequest { PageSize = 5 }, cancellationToken: CancellationToken);
        Assert.Empty(page.Products);
    }

    [Fact]
    public async Task Only_an_admin_may_delete()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var adminChannel = GrpcTesting.CreateChannel(api);
        var created = await new Catalog.CatalogClient(adminChannel)
            .CreateProductAsync(new CreateProductRequest { Sku = "DEL-1", Name = "Kept", Price = "1" }, cancellationToken: CancellationToken);
        using var userChannel = GrpcChannel.ForAddress(api.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = api.Server.CreateHandler(),
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {api.IssueToken("plain-user")}");
                return Task.CompletedTask;
            })),
            UnsafeUseInsecureChannelCallCredentials = true,
        });

        await GrpcTesting.AssertFailsAsync(StatusCode.PermissionDenied, async () =>
            await new Catalog.CatalogClient(userChannel).DeleteProductAsync(new DeleteProductRequest { Id = created.Id }, cancellationToken: CancellationToken));

        var still = await new Catalog.CatalogClient(adminChannel).GetProductAsync(new GetProductRequest { Id = created.Id }, cancellationToken: CancellationToken);
        Assert.Equal("Kept", still.Name);
    }

    [Fact]
    public async Task The_transcoded_json_routes_follow_the_same_rules()
    {
        // The same methods as JSON over HTTP (/grpc/v1/...): their endpoints get the access the methods declare from
        // the transcoding's metadata; if they did not, these writes would be open to anyone.
        await using var api = await ApiFactory.StartAsync(environment);
        using var anonymous = api.CreateAnonymousClient();
        var anonymousCreate = await anonymous.PostAsJsonAsync("/grpc/v1/products", new { sku = "ANON-2", name = "Anonymous", price = "1" }, CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousCreate.StatusCode);

        using var adminChannel = GrpcTesting.CreateChannel(api);
        var created = await new Catalog.CatalogClient(adminChannel)
            .CreateProductAsync(new CreateProductRequest { Sku = "DEL-2", Name = "Kept", Price = "1" }, cancellationToken: CancellationToken);
        using var user = api.CreateAnonymousClient();
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.IssueToken("plain-user"));
        var userDelete = await user.DeleteAsync($"/grpc/v1/products/{created.Id}", CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, userDelete.StatusCode);

        var adminDelete = await api.CreateClient().DeleteAsync($"/grpc/v1/products/{created.Id}", CancellationToken);
        Assert.True(adminDelete.IsSuccessStatusCode, $"admin delete: {(int)adminDelete.StatusCode}");
    }
}
