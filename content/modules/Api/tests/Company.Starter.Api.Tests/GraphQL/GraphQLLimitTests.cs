using System.Net;
using System.Text.Json;
using Company.Starter.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests.GraphQL;

/// <summary>
/// Every limit holds for introspection as for the catalogue (aliases and fragment uses counted), and introspection
/// itself is answered only in Development unless configured.
/// </summary>
public sealed class GraphQLLimitTests(TestEnvironment environment)
{
    /// <summary>Introspection on, whatever the environment: these tests are about the limits, not the switch.</summary>
    private static readonly Dictionary<string, string?> WithIntrospection = new() { ["GraphQL:EnableIntrospection"] = "true" };

    /// <summary>
    /// 650 characters that multiply: each fragment uses the next five times under aliases (fields, type, ofType), so
    /// the document selects about 8,000 fields and its answer, over this small schema, was 5 MB (about 70 MB allocated).
    /// </summary>
    public const string IntrospectionAttack = """
        query Attack { __schema { types { ...T } } }
        fragment T on __Type { a: fields { ...F } b: fields { ...F } c: fields { ...F } d: fields { ...F } e: fields { ...F } }
        fragment F on __Field { name a: type { ...R } b: type { ...R } c: type { ...R } d: type { ...R } e: type { ...R } }
        fragment R on __Type { name kind a: ofType { ...O } b: ofType { ...O } c: ofType { ...O } d: ofType { ...O } e: ofType { ...O } }
        fragment O on __Type { name kind a: fields { ...L } b: fields { ...L } c: fields { ...L } d: fields { ...L } }
        fragment L on __Field { name description a: type { name kind ofType { name kind } } b: type { name kind ofType { name kind } } }
        """;

    [Fact]
    public async Task The_aliased_fragment_nested_introspection_attack_is_refused_before_execution()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: WithIntrospection);
        using var client = api.CreateClient();

        var response = await client.PostGraphQLAsync(IntrospectionAttack);
        var bytes = (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length;
        var body = await response.ReadGraphQLAsync(HttpStatusCode.BadRequest);

        Assert.Contains("the limit (GraphQL:MaxFields) is 1000", body.SingleError("query_too_many_fields").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
        Assert.True(bytes < 1024, $"The refusal is {bytes} bytes.");
    }

    [Theory]
    // Few fields, but each `fields` under `type` multiplies by the largest type's field count.
    [InlineData("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }")]
    [InlineData("{ __type(name: \"__Type\") { fields { type { ofType { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } } } }")]
    public async Task Recursive_introspection_is_refused_as_too_complex(string query)
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: WithIntrospection);
        using var client = api.CreateClient();

        var body = await (await client.PostGraphQLAsync(query)).ReadGraphQLAsync(HttpStatusCode.BadRequest);

        Assert.Contains("the limit (GraphQL:MaxComplexity) is 5000", body.SingleError("query_too_complex").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aliases_of_an_expensive_introspection_field_count_against_the_limits()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: WithIntrospection);
        using var client = api.CreateClient();
        const string Field = "__schema { types { name fields { name args { name } type { name kind } } } }";

        // Once is fine...
        var once = await client.QueryAsync($"{{ a0: {Field} }}");
        Assert.NotEmpty(once.GetProperty("a0").GetProperty("types").EnumerateArray());

        // ...but not 40 times over: few enough fields, too many values.
        var aliases = string.Join(" ", Enumerable.Range(0, 40).Select(i => $"a{i}: {Field}"));
        var body = await (await client.PostGraphQLAsync($"{{ {aliases} }}")).ReadGraphQLAsync(HttpStatusCode.BadRequest);
        body.SingleError("query_too_complex");

        // A thousand and one aliases of even the cheapest field are too many fields.
        var typenames = string.Join(" ", Enumerable.Range(0, 1001).Select(i => $"t{i}:__typename"));
        body = await (await client.PostGraphQLAsync($"{{ {typenames} }}")).ReadGraphQLAsync(HttpStatusCode.BadRequest);
        body.SingleError("query_too_many_fields");
    }

    [Fact]
    public async Task A_fragment_cycle_is_refused_by_validation_not_counted_forever()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: WithIntrospection);
        using var client = api.CreateClient();

        var body = await (await client.PostGraphQLAsync("{ __schema { types { ...A } } } fragment A on __Type { name ofType { ...B } } fragment B on __Type { kind ofType { ...A } }"))
            .ReadGraphQLAsync(HttpStatusCode.BadRequest);

        Assert.Equal(JsonValueKind.Array, body.GetProperty("errors").ValueKind);
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
    }

    [Fact]
    public async Task The_standard_introspection_query_is_answered_in_Development()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?> { ["environment"] = Environments.Development });
        Assert.True(api.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
        Assert.Null(api.Services.GetRequiredService<IConfiguration>()["GraphQL:EnableIntrospection"]);
        using var client = api.CreateClient();

        // What GraphiQL and code generators send: 13 levels deep, with the schema's every type, field and argument.
        var schema = (await client.QueryAsync(IntrospectionQuery)).GetProperty("__schema");

        Assert.Equal("Query", schema.GetProperty("queryType").GetProperty("name").GetString());
        Assert.Equal("Mutation", schema.GetProperty("mutationType").GetProperty("name").GetString());
        var product = schema.GetProperty("types").EnumerateArray().Single(type => type.GetProperty("name").GetString() == "Product");
        Assert.Contains(product.GetProperty("fields").EnumerateArray(), field => field.GetProperty("name").GetString() == "sales");
    }

    [Fact]
    public async Task Outside_Development_introspection_is_refused_but_typename_is_answered()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        Assert.False(api.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
        using var client = api.CreateClient();

        foreach (var query in new[] { IntrospectionQuery, "{ __type(name: \"Product\") { name fields { name } } }", "{ products { nodes { id } } __schema { queryType { name } } }" })
        {
            var response = await client.PostGraphQLAsync(query);
            var bytes = (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length;
            var body = await response.ReadGraphQLAsync(HttpStatusCode.BadRequest);

            Assert.All(body.GetProperty("errors").EnumerateArray(), error =>
                Assert.Equal("introspection_disabled", error.GetProperty("extensions").GetProperty("code").GetString()));
            Assert.False(body.TryGetProperty("data", out _), body.ToString());
            Assert.True(bytes < 1024, $"The refusal is {bytes} bytes.");
        }

        var data = await client.QueryAsync("{ __typename products { __typename nodes { __typename id } } }");
        Assert.Equal("Query", data.GetProperty("__typename").GetString());
        Assert.Equal("ProductConnection", data.GetProperty("products").GetProperty("__typename").GetString());
    }

    /// <summary>graphql-js's <c>getIntrospectionQuery()</c>, as GraphiQL sends it.</summary>
    private const string IntrospectionQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """;
}
