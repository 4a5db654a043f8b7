using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.Starter.Api.Grpc;
using Company.Starter.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Company.Starter.Api.Tests.Grpc;

/// <summary>What surrounds the Catalog service: gRPC health, JSON transcoding and (in Development only) reflection.</summary>
public sealed class GrpcHostingTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("")]
    [InlineData("company_starter.catalog.v1.Catalog")]
    public async Task The_health_service_reports_serving_with_the_database_up(string service)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);

        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: CancellationToken);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task The_health_service_reports_the_apps_health_checks()
    {
        // A failing dependency check, as the database's is when it is down: the gRPC health service must follow it.
        await using var api = await ApiFactory.StartAsync(environment, services => services.AddHealthChecks()
            .AddCheck("broken-dependency", () => HealthCheckResult.Unhealthy("down"), tags: ["ready"]));
        using var channel = GrpcTesting.CreateChannel(api);
        var health = new Health.HealthClient(channel);

        var server = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: CancellationToken);
        var catalog = await health.CheckAsync(new HealthCheckRequest { Service = Catalog.Descriptor.FullName }, cancellationToken: CancellationToken);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, server.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, catalog.Status);
    }

    [Fact]
    public async Task The_health_service_does_not_know_other_services()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);

        await GrpcTesting.AssertFailsAsync(StatusCode.NotFound, async () =>
            await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }, cancellationToken: CancellationToken));
    }

    [Fact]
    public async Task A_product_is_served_as_json_under_grpc_v1()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        using var http = api.CreateClient();
        var created = await new Catalog.CatalogClient(channel).CreateProductAsync(
            new CreateProductRequest { Sku = "LAMP-1", Name = "Lamp", Price = "19.90" }, cancellationToken: CancellationToken);

        var response = await http.GetAsync($"/grpc/v1/products/{created.Id}", CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var product = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken);
        Assert.Equal(created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), product.GetProperty("id").ToString());
        Assert.Equal("LAMP-1", product.GetProperty("sku").GetString());
        Assert.Equal("Lamp", product.GetProperty("name").GetString());
        Assert.Equal("19.90", product.GetProperty("price").GetString());
        Assert.True(product.GetProperty("createdAt").TryGetDateTimeOffset(out _), product.ToString());
    }

    [Fact]
    public async Task Json_transcoding_creates_and_answers_errors_with_http_statuses()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var http = api.CreateClient();

        var created = await http.PostAsJsonAsync("/grpc/v1/products", new { sku = "DESK-1", name = "Desk", price = "120.00" }, CancellationToken);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(CancellationToken)).GetProperty("id").ToString();

        var duplicate = await http.PostAsJsonAsync("/grpc/v1/products", new { sku = "DESK-1", name = "Desk", price = "1" }, CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        // The body is the google.rpc.Status, rich details included.
        var status = await duplicate.Content.ReadFromJsonAsync<JsonElement>(CancellationToken);
        Assert.Equal((int)StatusCode.AlreadyExists, status.GetProperty("code").GetInt32());
        Assert.Contains(
            status.GetProperty("details").EnumerateArray(),
            detail => detail.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo"
                && detail.GetProperty("reason").GetString() == "duplicate_key");
        var missing = await http.GetAsync("/grpc/v1/products/987654", CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal((int)StatusCode.NotFound, (await missing.Content.ReadFromJsonAsync<JsonElement>(CancellationToken)).GetProperty("code").GetInt32());
        var invalid = await http.PostAsJsonAsync("/grpc/v1/products", new { sku = "", name = "Desk", price = "1" }, CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/grpc/v1/products/{id}", CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/grpc/v1/products/{id}", CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Transcoding_reads_integers_and_prices_strictly_and_logs_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var http = api.CreateClient();
        var created = await http.PostAsJsonAsync("/grpc/v1/products", new { sku = "DESK-1", name = "Desk", price = "120.00" }, CancellationToken);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(CancellationToken)).GetProperty("id").ToString();

        // Each read as a number by .NET's own parsers, which skip NULs and spaces and take a "+": 1, 5, 1.00, version 1.
        (HttpRequestMessage Request, string Field)[] malformed =
        [
            (new(HttpMethod.Get, $"/grpc/v1/products/+{id}"), "id"),
            (new(HttpMethod.Get, $"/grpc/v1/products/%20{id}"), "id"),
            (new(HttpMethod.Get, "/grpc/v1/products?page_size=5%00"), "page_size"),
            (new(HttpMethod.Get, "/grpc/v1/products?pageSize=%205"), "page_size"),
            (new(HttpMethod.Post, "/grpc/v1/products") { Content = Json("""{"sku":"LAMP-1","name":"Lamp","price":"1\u0000"}""") }, "price"),
            (new(HttpMethod.Put, $"/grpc/v1/products/{id}") { Content = Json("""{"sku":"DESK-1","name":"Desk","price":"1","version":"1\u0000"}""") }, "version"),
        ];
        foreach (var (request, field) in malformed)
        {
            using var response = await http.SendAsync(request, CancellationToken);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{request.Method} {request.RequestUri} → {(int)response.StatusCode}: {status}");
            Assert.Equal((int)StatusCode.InvalidArgument, status.GetProperty("code").GetInt32());
            var details = status.GetProperty("details").EnumerateArray().ToList();
            Assert.Contains(details, detail => detail.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo"
                && detail.GetProperty("reason").GetString() == "validation_failed");
            Assert.Contains(details, detail => detail.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest"
                && detail.GetProperty("fieldViolations").EnumerateArray().Any(violation => violation.GetProperty("field").GetString() == field));
        }

        // Nothing was stored or changed: the desk alone, at version 1.
        var list = await http.GetFromJsonAsync<JsonElement>("/grpc/v1/products", CancellationToken);
        var product = Assert.Single(list.GetProperty("products").EnumerateArray());
        Assert.Equal(("120.00", "1"), (product.GetProperty("price").GetString(), product.GetProperty("version").ToString()));
        errors.AssertEmpty();
    }

    [Fact]
    public async Task Reflection_is_off_outside_development()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);

        await GrpcTesting.AssertFailsAsync(StatusCode.Unimplemented, async () => await ListServicesAsync(channel));
    }

    [Fact]
    public async Task Reflection_lists_the_catalog_in_development()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?> { ["environment"] = "Development" });
        using var channel = GrpcTesting.CreateChannel(api);

        var services = await ListServicesAsync(channel);

        Assert.Contains(Catalog.Descriptor.FullName, services);
        Assert.Contains(Health.Descriptor.FullName, services);
    }

    private static async Task<IReadOnlyList<string>> ListServicesAsync(GrpcChannel channel)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(cancellationToken: CancellationToken);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, CancellationToken);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken));
        return call.ResponseStream.Current.ListServicesResponse.Service.Select(service => service.Name).ToList();
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
