using System.Security.Claims;
using Company.Starter.Api.Http.Access;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Company.Starter.Api.Tests;

/// <summary>
/// The access the orders' endpoints declare. Without a module that signs users in every rule lets everyone through, so
/// no request can tell a forgotten rule from a public one; a forgotten rule shows when the Security module is added
/// (starting a fulfilment, which charges the payment, would stay anonymous). So the declarations themselves are read.
/// </summary>
public sealed class OrderAccessTests(TestEnvironment environment)
{
    [Fact]
    public async Task Writes_take_what_placing_an_order_takes_and_reads_are_declared_public()
    {
        var recorder = new RecordingAccess();
        await using var api = await ApiFactory.StartAsync(environment, services => services.Replace(ServiceDescriptor.Singleton<IEndpointAccess>(recorder)));

        var declared = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(endpoint => endpoint.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(
                endpoint => endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName,
                endpoint => endpoint.Metadata.OfType<DeclaredAccess>().Select(declaration => declaration.Access).ToArray());

        var expected = new Dictionary<string, EndpointAccess>
        {
            ["PlaceOrder"] = EndpointAccess.CatalogWriter,
            ["GetOrder"] = EndpointAccess.Public,
            ["StartFulfilment"] = EndpointAccess.CatalogWriter,
            ["CancelFulfilment"] = EndpointAccess.CatalogWriter,
            ["GetFulfilment"] = EndpointAccess.Public,
#if (UseRedis)
            ["StreamNotifications"] = EndpointAccess.Public,
#endif
        };
        Assert.All(expected, rule =>
        {
            Assert.True(declared.TryGetValue(rule.Key, out var accesses), $"No endpoint is named {rule.Key}.");
            Assert.Equal([rule.Value], accesses);
        });
    }

    /// <summary>What <see cref="IEndpointAccess.Require"/> was asked for, kept on the endpoint it was asked for.</summary>
    private sealed record DeclaredAccess(EndpointAccess Access);

    /// <summary>Lets everyone through, as the API's own rules do, and records what each endpoint declares.</summary>
    private sealed class RecordingAccess : IEndpointAccess
    {
        public void UseAccessControl(IApplicationBuilder app)
        {
        }

        public void Require(EndpointBuilder endpoint, EndpointAccess access) => endpoint.Metadata.Add(new DeclaredAccess(access));

        public Task<AccessDecision> CheckAsync(ClaimsPrincipal user, EndpointAccess access) => Task.FromResult(AccessDecision.Allowed);
    }
}
