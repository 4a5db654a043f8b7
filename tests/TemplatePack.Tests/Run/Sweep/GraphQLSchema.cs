using System.Text.Json;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>A GraphQL type reference as introspection gives it: NON_NULL and LIST wrap a named type.</summary>
public sealed record GraphQLTypeRef(string Kind, string? Name, GraphQLTypeRef? OfType)
{
    public bool NonNull => Kind == "NON_NULL";

    public GraphQLTypeRef Named => OfType is { } inner && Kind is "NON_NULL" or "LIST" ? inner.Named : this;

    /// <summary>As written in a variable definition: <c>[ID!]!</c>.</summary>
    public override string ToString() => Kind switch
    {
        "NON_NULL" => $"{OfType}!",
        "LIST" => $"[{OfType}]",
        _ => Name ?? "?",
    };
}

public sealed record GraphQLArgument(string Name, GraphQLTypeRef Type);

public sealed record GraphQLField(string Name, IReadOnlyList<GraphQLArgument> Arguments, GraphQLTypeRef Type);

public sealed record GraphQLType(string Kind, string Name, IReadOnlyList<GraphQLField> Fields, IReadOnlyList<GraphQLArgument> InputFields);

/// <summary>
/// The running app's GraphQL schema, read by introspection (answered in Development, or where
/// <c>GraphQL:EnableIntrospection</c> is set, as the sweep sets it). Root fields with their arguments, and every type they reach.
/// </summary>
public sealed class GraphQLSchema
{
    /// <summary>Type references three wrappers deep (<c>[Product!]!</c>); fields and inputFields are one listing level, well within the app's depth and cost limits.</summary>
    public const string IntrospectionQuery = """
        query SweepIntrospection {
          __schema {
            queryType { name }
            mutationType { name }
            types {
              kind name
              fields { name args { name type { ...Ref } } type { ...Ref } }
              inputFields { name type { ...Ref } }
            }
          }
        }
        fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
        """;

    private GraphQLSchema(string query, string? mutation, Dictionary<string, GraphQLType> types)
    {
        QueryType = query;
        MutationType = mutation;
        Types = types;
    }

    public string QueryType { get; }

    public string? MutationType { get; }

    public IReadOnlyDictionary<string, GraphQLType> Types { get; }

    /// <summary>Parses the `data` of <see cref="IntrospectionQuery"/>'s answer.</summary>
    public static GraphQLSchema Parse(JsonElement data)
    {
        var schema = data.GetProperty("__schema");
        var types = schema.GetProperty("types").EnumerateArray()
            .Select(t => new GraphQLType(
                t.GetProperty("kind").GetString()!,
                t.GetProperty("name").GetString()!,
                t.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array
                    ? [.. fields.EnumerateArray().Select(f => new GraphQLField(f.GetProperty("name").GetString()!, Arguments(f.GetProperty("args")), Ref(f.GetProperty("type"))))]
                    : [],
                t.TryGetProperty("inputFields", out var inputs) && inputs.ValueKind == JsonValueKind.Array ? Arguments(inputs) : []))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        var mutation = schema.GetProperty("mutationType");
        return new GraphQLSchema(
            schema.GetProperty("queryType").GetProperty("name").GetString()!,
            mutation.ValueKind == JsonValueKind.Object ? mutation.GetProperty("name").GetString() : null,
            types);
    }

    public GraphQLType Type(string name) => Types[name];

    private static List<GraphQLArgument> Arguments(JsonElement list) =>
        [.. list.EnumerateArray().Select(a => new GraphQLArgument(a.GetProperty("name").GetString()!, Ref(a.GetProperty("type"))))];

    private static GraphQLTypeRef Ref(JsonElement type) => new(
        type.GetProperty("kind").GetString()!,
        type.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
        type.TryGetProperty("ofType", out var inner) && inner.ValueKind == JsonValueKind.Object ? Ref(inner) : null);
}
