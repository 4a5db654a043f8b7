using System.Globalization;
using System.Text.Json;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Reads the operations of the OpenAPI 3.1 document the generated build writes (artifacts/openapi/&lt;Api&gt;.json):
/// every path and query parameter and JSON body, with the constraints the document states. The document is the app's
/// own description of itself, so a new endpoint or field is swept without touching the harness.
/// </summary>
public sealed class OpenApiOperations
{
    private readonly JsonElement _root;

    private OpenApiOperations(JsonElement root)
    {
        _root = root;
        Operations = [.. ReadOperations()];
        Properties = ReadPropertyIndex();
    }

    public IReadOnlyList<SweepOperation> Operations { get; }

    /// <summary>
    /// Every property of every component schema by name, with whether some schema requires it: the rules the REST
    /// contract states for a field, which the proto and the GraphQL schema share but cannot express (a pattern, a
    /// length, a range).
    /// </summary>
    public IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> Properties { get; }

    public static OpenApiOperations Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new OpenApiOperations(document.RootElement.Clone());
    }

    private IEnumerable<SweepOperation> ReadOperations()
    {
        foreach (var path in _root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                var parameters = new List<SweepParameter>();
                if (operation.Value.TryGetProperty("parameters", out var list))
                {
                    foreach (var parameter in list.EnumerateArray())
                    {
                        var location = parameter.GetProperty("in").GetString();
                        if (location is not ("path" or "query"))
                        {
                            continue; // headers and cookies: the hand-written corpus covers If-Match and the refresh cookie
                        }

                        var name = parameter.GetProperty("name").GetString()!;
                        parameters.Add(new SweepParameter(
                            name,
                            location == "path" ? ParameterLocation.Path : ParameterLocation.Query,
                            Schema(name, parameter.TryGetProperty("schema", out var s) ? s : default),
                            parameter.TryGetProperty("required", out var r) && r.GetBoolean()));
                    }
                }

                FieldSchema? body = null;
                if (operation.Value.TryGetProperty("requestBody", out var requestBody)
                    && requestBody.GetProperty("content").TryGetProperty("application/json", out var content))
                {
                    body = Schema("body", content.GetProperty("schema"));
                }

                var id = operation.Value.TryGetProperty("operationId", out var operationId) ? operationId.GetString()! : $"{operation.Name} {path.Name}";
                yield return new SweepOperation(id, operation.Name.ToUpperInvariant(), path.Name, parameters, body);
            }
        }
    }

    private Dictionary<string, (FieldSchema, bool)> ReadPropertyIndex()
    {
        var index = new Dictionary<string, (FieldSchema, bool)>(StringComparer.Ordinal);
        if (!_root.TryGetProperty("components", out var components) || !components.TryGetProperty("schemas", out var schemas))
        {
            return index;
        }

        foreach (var component in schemas.EnumerateObject().Where(c => c.Name.EndsWith("Request", StringComparison.Ordinal)))
        {
            var schema = Schema(component.Name, component.Value);
            foreach (var (name, property) in schema.Properties)
            {
                var required = schema.Required.Contains(name) || (index.TryGetValue(name, out var known) && known.Item2);
                index[name] = (property, required);
            }
        }

        return index;
    }

    /// <summary>A schema as the sweep sees it; <paramref name="name"/> lends it a role (a password, a cursor).</summary>
    private FieldSchema Schema(string name, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return new FieldSchema { Kind = FieldKind.Any };
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Schema(name, Resolve(reference.GetString()!));
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            // `oneOf: [{type: null}, {$ref}]`: an optional body or a nullable object.
            var options = oneOf.EnumerateArray().ToList();
            var nullable = options.Any(o => o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null");
            var real = options.FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
            var inner = Schema(name, real);
            return inner with { Nullable = nullable, BodyMayBeNull = nullable };
        }

        var types = !schema.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToHashSet()
            : [type.GetString()!];
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var kind = types switch
        {
            _ when types.Contains("integer") => FieldKind.Integer,
            _ when types.Contains("number") => FieldKind.Number,
            _ when types.Contains("boolean") => FieldKind.Boolean,
            _ when types.Contains("string") && format == "date-time" => FieldKind.DateTime,
            _ when types.Contains("string") => FieldKind.String,
            _ when types.Contains("object") || schema.TryGetProperty("properties", out _) => FieldKind.Object,
            _ => FieldKind.Any,
        };

        var properties = new Dictionary<string, FieldSchema>(StringComparer.Ordinal);
        if (schema.TryGetProperty("properties", out var props))
        {
            foreach (var property in props.EnumerateObject())
            {
                properties[property.Name] = Schema(property.Name, property.Value);
            }
        }

        var choices = schema.TryGetProperty("enum", out var e) ? e.EnumerateArray().Select(v => v.ToString()).ToList() : null;
        var defaultValue = schema.TryGetProperty("default", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        var result = new FieldSchema
        {
            Kind = kind,
            Format = format,
            Nullable = types.Contains("null"),
            NumberAsString = kind is FieldKind.Integer or FieldKind.Number && types.Contains("string"),
            Pattern = schema.TryGetProperty("pattern", out var p) ? p.GetString() : null,
            MinLength = schema.TryGetProperty("minLength", out var minLength) ? minLength.GetInt32() : null,
            MaxLength = schema.TryGetProperty("maxLength", out var maxLength) ? maxLength.GetInt32() : null,
            Minimum = Decimal(schema, "minimum"),
            Maximum = Decimal(schema, "maximum"),
            Scale = schema.TryGetProperty("multipleOf", out var multipleOf) ? ExactNumber.Parse(multipleOf.GetRawText())?.Scale : null,
            Choices = choices,
            Default = defaultValue,
            Properties = properties,
            Required = schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!).ToHashSet() : [],
        };
        return SchemaHints.Apply(name, result);
    }

    private static decimal? Decimal(JsonElement schema, string name)
    {
        if (!schema.TryGetProperty(name, out var value))
        {
            return null;
        }

        // OpenAPI writes long.MaxValue as 9223372036854776000 (a double): clamp to the integer types it stands for.
        return decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? Math.Min(number, long.MaxValue)
            : null;
    }

    private JsonElement Resolve(string reference)
    {
        const string prefix = "#/components/schemas/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local component references are read: {reference}");
        }

        return _root.GetProperty("components").GetProperty("schemas").GetProperty(reference[prefix.Length..]);
    }
}
