using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using Company.Starter.Data;
using Microsoft.Extensions.Hosting;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Company.Starter.Api.Tests;

/// <summary>
/// The module boundaries of this solution, stated as rules over its compiled code, so that extending it tells you when
/// a change crosses a seam: the data module knows nothing of HTTP, the API reaches the database only through the data
/// module's services, and each API protocol (REST, gRPC, GraphQL) stands alone so it can be switched off or removed.
/// Other modules add their own rules in parts of this class.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly Architecture Architecture = new ArchLoader()
        .LoadAssemblies(typeof(AppDbContext).Assembly, typeof(Program).Assembly, typeof(ServiceDefaultsExtensions).Assembly)
        .Build();

    private static readonly System.Reflection.Assembly Data = typeof(AppDbContext).Assembly;
    private static readonly System.Reflection.Assembly Api = typeof(Program).Assembly;
    private static readonly System.Reflection.Assembly ServiceDefaults = typeof(ServiceDefaultsExtensions).Assembly;

    [Fact]
    public void The_data_module_knows_nothing_of_HTTP() =>
        Types().That().ResideInAssembly(Data)
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Microsoft\.AspNetCore\.(Http|Mvc|Routing)(\..*)?$"))
            .Check(Architecture);

    [Fact]
    public void The_service_defaults_do_not_depend_on_the_application() =>
        Types().That().ResideInAssembly(ServiceDefaults)
            .Should().NotDependOnAny(Types().That().ResideInAssembly(Data).Or().ResideInAssembly(Api))
            .Check(Architecture);

    [Fact]
    public void The_API_reaches_the_catalogue_through_the_data_module_services_not_its_DbContext() =>
        Types().That().ResideInAssembly(Api)
            .Should().NotDependOnAny(typeof(AppDbContext))
            .Check(Architecture);

    [Fact]
    public void Each_protocol_stands_alone()
    {
        // REST is Products/ and Sales/: their endpoint and response types exist only with REST on (the request types
        // in Products/ are the shared validated input of every protocol). gRPC is Grpc/, GraphQL is GraphQL/.
        var root = Regex.Escape("Company.Starter.Api") + @"\.";
        // Conditions combine left to right: (…Endpoints or …Response) and in Products/ or Sales/.
        var restOnly = Types().That().HaveNameEndingWith("Endpoints").Or().HaveNameEndingWith("Response")
            .And().ResideInNamespaceMatching($"^{root}(Products|Sales)$");
        var adapters = new[] { "Grpc", "GraphQL" }
            .Where(adapter => Architecture.Types.Any(type => type.Namespace.FullName.StartsWith($"Company.Starter.Api.{adapter}", StringComparison.Ordinal)))
            .ToList();

        foreach (var adapter in adapters)
        {
            var others = adapters.Where(other => other != adapter).Select(other => $"^{root}{other}(\\..*)?$").ToList();
            var rule = Types().That().ResideInNamespaceMatching($"^{root}{adapter}(\\..*)?$").Should().NotDependOnAny(restOnly);
            if (others.Count > 0)
            {
                rule = rule.AndShould().NotDependOnAny(Types().That().ResideInNamespaceMatching(others[0]));
            }

            rule.Check(Architecture);
        }
    }
}
