using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Reads the gRPC JSON-transcoding routes from the generated proto (Grpc/Protos/*.proto): each rpc's google.api.http
/// rule and its request message's fields. The transcoded routes are not in the OpenAPI document, and the proto is
/// what defines them. Field rules the proto only states in comments ("the same rules as the REST API") come from the
/// OpenAPI document's property of the same name.
/// </summary>
public static partial class ProtoOperations
{
    public static IReadOnlyList<SweepOperation> Parse(string proto, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> restProperties)
    {
        var text = LineComment().Replace(proto, "");
        var messages = Message().Matches(text).ToDictionary(
            m => m.Groups["name"].Value,
            m => Field().Matches(m.Groups["body"].Value).Where(f => !f.Groups["repeated"].Success).Select(f => (Type: f.Groups["type"].Value, Name: f.Groups["name"].Value)).ToList());

        var operations = new List<SweepOperation>();
        foreach (Match rpc in Rpc().Matches(text))
        {
            var rule = rpc.Groups["rule"].Value;
            var verb = Verb().Match(rule);
            if (!verb.Success || !messages.TryGetValue(rpc.Groups["request"].Value, out var fields))
            {
                continue;
            }

            var path = verb.Groups["path"].Value;
            var inPath = PathField().Matches(path).Select(m => m.Groups[1].Value).ToHashSet();
            var hasBody = Body().Match(rule) is { Success: true } body && body.Groups[1].Value == "*";
            var parameters = fields.Where(f => inPath.Contains(f.Name))
                .Select(f => new SweepParameter(f.Name, ParameterLocation.Path, Schema(f.Type, f.Name, restProperties).Schema, Required: true))
                .Concat(hasBody ? [] : fields.Where(f => !inPath.Contains(f.Name))
                    .Select(f => new SweepParameter(f.Name, ParameterLocation.Query, Schema(f.Type, f.Name, restProperties).Schema, Required: false)))
                .ToList();

            FieldSchema? bodySchema = null;
            if (hasBody)
            {
                var properties = fields.Where(f => !inPath.Contains(f.Name)).ToDictionary(f => JsonName(f.Name), f => Schema(f.Type, f.Name, restProperties));
                bodySchema = new FieldSchema
                {
                    Kind = FieldKind.Object,
                    Properties = properties.ToDictionary(p => p.Key, p => p.Value.Schema),
                    Required = properties.Where(p => p.Value.Required).Select(p => p.Key).ToHashSet(),
                    // The generated app's transcoder ignores a field the message does not have, as ASP.NET Core's JSON
                    // binding does for REST: an unknown property may be accepted.
                    ClosedObject = false,
                };
            }

            operations.Add(new SweepOperation(rpc.Groups["name"].Value, verb.Groups["verb"].Value.ToUpperInvariant(), path, parameters, bodySchema));
        }

        return operations;
    }

    /// <summary>proto3 JSON: lowerCamelCase of the field name.</summary>
    public static string JsonName(string field) =>
        Regex.Replace(field, "_([a-z0-9])", m => m.Groups[1].Value.ToUpperInvariant());

    private static (FieldSchema Schema, bool Required) Schema(string type, string name, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> rest)
    {
        var known = rest.TryGetValue(JsonName(name), out var property) ? property : ((FieldSchema Schema, bool Required)?)null;
        var schema = type switch
        {
            // proto3 JSON takes 64- and 32-bit integers as numbers or strings, and an integral exponent form.
            "int64" or "int32" or "uint32" or "uint64" or "sint64" or "sint32" => new FieldSchema
            {
                Kind = FieldKind.Integer,
                Format = type.EndsWith("32", StringComparison.Ordinal) ? "int32" : "int64",
                NumberAsString = true,
                IntegralLiteralsOnly = false,
                Minimum = known?.Schema.Minimum,
                Maximum = known?.Schema.Maximum,
            },
            "bool" => new FieldSchema { Kind = FieldKind.Boolean },

            // A decimal carried as a string ("19.90"): the REST schema's number rules, sent as JSON strings only.
            "string" when known?.Schema.Kind == FieldKind.Number => known.Value.Schema with { NumberAsString = false, NumberOnlyAsString = true, Nullable = false },
            "string" when known?.Schema.Kind == FieldKind.String => known.Value.Schema with { Nullable = false },
            "string" => new FieldSchema { Kind = FieldKind.String },
            _ => new FieldSchema { Kind = FieldKind.Any },
        };
        return (SchemaHints.Apply(name, schema), known?.Required ?? false);
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"message\s+(?<name>\w+)\s*\{(?<body>[^{}]*)\}")]
    private static partial Regex Message();

    [GeneratedRegex(@"(?<repeated>repeated\s+)?(?<type>[\w.]+)\s+(?<name>\w+)\s*=\s*\d+\s*;")]
    private static partial Regex Field();

    [GeneratedRegex(@"rpc\s+(?<name>\w+)\s*\(\s*(?<request>[\w.]+)\s*\)\s*returns\s*\(\s*[\w.]+\s*\)\s*\{\s*option\s*\(google\.api\.http\)\s*=\s*\{(?<rule>[^}]*)\}")]
    private static partial Regex Rpc();

    [GeneratedRegex(@"(?<verb>get|put|post|delete|patch)\s*:\s*""(?<path>[^""]+)""")]
    private static partial Regex Verb();

    [GeneratedRegex(@"body\s*:\s*""([^""]+)""")]
    private static partial Regex Body();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PathField();
}
