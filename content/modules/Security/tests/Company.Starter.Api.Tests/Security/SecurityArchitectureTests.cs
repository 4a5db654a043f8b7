using System.Text.RegularExpressions;
using ArchUnitNET.xUnitV3;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Company.Starter.Api.Tests;

/// <summary>The security module's boundaries (see <see cref="ArchitectureTests"/>).</summary>
public sealed partial class ArchitectureTests
{
    [Fact]
    public void The_security_module_does_not_reach_into_the_REST_catalogue() =>
        Types().That().ResideInNamespaceMatching("^" + Regex.Escape("Company.Starter.Api.Security") + @"(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching("^" + Regex.Escape("Company.Starter.Api") + @"\.(Products|Sales)(\..*)?$"))
            .Check(Architecture);

    [Fact]
    public void The_API_declares_access_and_leaves_its_enforcement_to_the_security_module() =>
        // Endpoints say what they need (EndpointAccess); only the security module knows policies and authorization.
        Types().That().ResideInNamespaceMatching("^" + Regex.Escape("Company.Starter.Api") + @"\.(Products|Sales|Grpc|GraphQL|Http)(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Microsoft\.AspNetCore\.Authorization(\..*)?$")
                .Or().ResideInNamespaceMatching("^" + Regex.Escape("Company.Starter.Api.Security") + @"(\..*)?$"))
            .Check(Architecture);
}
