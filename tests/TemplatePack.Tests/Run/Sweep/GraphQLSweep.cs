using System.Globalization;
using System.Text;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Requests for every root field of the GraphQL schema (and the arguments of the fields they return): each argument,
/// and each field of an input object, gets the hostile values of its type, passed as a variable or (seeded coin) as an
/// inline literal, with every other argument valid. Input rules GraphQL cannot state (a SKU's pattern, a name's length,
/// a price's range) come from the OpenAPI property of the same name.
/// </summary>
public static class GraphQLSweep
{
    private const string Path = "/graphql";

    public static IEnumerable<BadRequest> For(GraphQLSchema schema, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> rest, SweepContext context)
    {
        foreach (var (operation, root) in new[] { ("query", schema.QueryType), ("mutation", schema.MutationType) })
        {
            if (root is null)
            {
                continue;
            }

            foreach (var field in schema.Type(root).Fields.Where(f => !f.Name.StartsWith("__", StringComparison.Ordinal)))
            {
                var target = new Target(operation, field, null);
                foreach (var request in ForTarget(schema, rest, context, target))
                {
                    yield return request;
                }

                // Arguments one level down (a product's `sales(last:)`), reached through the root field with valid arguments.
                if (operation == "query" && schema.Types.TryGetValue(field.Type.Named.Name ?? "", out var returned) && returned.Kind == "OBJECT")
                {
                    foreach (var nested in returned.Fields.Where(f => f.Arguments.Count > 0))
                    {
                        foreach (var request in ForTarget(schema, rest, context, new Target(operation, field, nested)))
                        {
                            yield return request;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The field whose arguments are under test: a root field, or a field of what a root field returns.</summary>
    private sealed record Target(string Operation, GraphQLField Root, GraphQLField? Nested)
    {
        public GraphQLField Tested => Nested ?? Root;

        public string Name => Nested is null ? Root.Name : $"{Root.Name}.{Nested.Name}";
    }

    private static IEnumerable<BadRequest> ForTarget(GraphQLSchema schema, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> rest, SweepContext context, Target target)
    {
        foreach (var argument in target.Tested.Arguments)
        {
            var field = Schema(schema, rest, argument.Name, argument.Type);
            if (field.Kind == FieldKind.Object)
            {
                foreach (var (name, property) in field.Properties)
                {
                    var required = field.Required.Contains(name);
                    foreach (var value in HostileValues.Json(name, property, required, Examples.Json(name, property, context) ?? "null", context))
                    {
                        var input = Examples.Object(field, context, except: name);
                        input = input.Length == 2 ? $"{{{JsonText.Quote(name)}:{value.Wire}}}" : $"{{{JsonText.Quote(name)}:{value.Wire},{input[1..]}";
                        yield return Request(schema, rest, context, target, argument, input, inline: false, $"{name}: {value.Label}", value.Expect);
                    }

                    yield return Request(schema, rest, context, target, argument, Examples.Object(field, context, except: name), inline: false, $"{name} missing",
                        required ? Expectation.MustReject : Expectation.MayAccept);
                }

                var valid = Examples.Object(field, context);
                yield return Request(schema, rest, context, target, argument, valid.TrimEnd('}') + ",\"sweepUnknown\":1}", inline: false, "unknown input field", Expectation.MustReject);
                continue;
            }

            var values = argument.Type.Named.Name == "ID" ? IdValues(context) : HostileValues.Json(argument.Name, field, argument.Type.NonNull, Examples.Json(argument.Name, field, context) ?? "null", context);
            foreach (var value in values)
            {
                // A literal inline in the document, or the same value as a variable: two parsers, two coercion paths.
                yield return Request(schema, rest, context, target, argument, value.Wire, inline: context.Random.Next(2) == 0, value.Label, value.Expect);
            }

            if (argument.Type.NonNull)
            {
                yield return Request(schema, rest, context, target, argument, null, inline: true, "missing", Expectation.MustReject);
            }
        }
    }

    /// <summary>IDs name rows: none of these names one, so each must be refused; a missing but well-formed id may answer null.</summary>
    private static IEnumerable<SweepValue> IdValues(SweepContext context)
    {
        string[] refused = ["abc", "", "-1", "0", "1.5", "9223372036854775808", "99999999999999999999", "1e3", " 1", "0x10", "1\0", "\u202e1", "1\u200b", "\ud800", new string('9', 10_000)];
        foreach (var text in refused)
        {
            yield return new SweepValue($"id {Label(text)}", JsonText.Quote(text), Expectation.MustReject);
        }

        yield return new SweepValue("id -1 as a number", "-1", Expectation.MustReject);
        yield return new SweepValue("id true", "true", Expectation.MustReject);
        yield return new SweepValue("id missing row", JsonText.Quote(context.MissingId().ToString(CultureInfo.InvariantCulture)), Expectation.MayAccept);
    }

    private static BadRequest Request(
        GraphQLSchema schema, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> rest, SweepContext context, Target target,
        GraphQLArgument tested, string? wire, bool inline, string label, Expectation expect)
    {
        var definitions = new List<string>();
        var variables = new List<string>();
        string Arguments(GraphQLField field)
        {
            var written = new List<string>();
            foreach (var argument in field.Arguments)
            {
                string? value;
                if (argument == tested)
                {
                    if (wire is null)
                    {
                        continue; // the "missing" case
                    }

                    if (inline)
                    {
                        written.Add($"{argument.Name}: {wire}");
                        continue;
                    }

                    value = wire;
                }
                else
                {
                    value = ValidArgument(schema, rest, context, target, argument);
                    if (value is null)
                    {
                        continue; // optional: left out
                    }
                }

                var variable = $"{field.Name}_{argument.Name}";
                definitions.Add($"${variable}: {argument.Type}");
                variables.Add($"{JsonText.Quote(variable)}:{value}");
                written.Add($"{argument.Name}: ${variable}");
            }

            return written.Count == 0 ? "" : $"({string.Join(", ", written)})";
        }

        var rootArguments = Arguments(target.Root);
        string selection;
        if (target.Nested is { } nested)
        {
            var nestedArguments = Arguments(nested);
            selection = $"{{ {nested.Name}{nestedArguments} {Selection(schema, nested.Type, 0)} }}";
        }
        else
        {
            selection = Selection(schema, target.Root.Type, 0);
        }

        var document = $"{target.Operation} Sweep{(definitions.Count == 0 ? "" : $"({string.Join(", ", definitions)})")} {{ {target.Root.Name}{rootArguments} {selection} }}";
        var body = $"{{\"query\":{JsonText.Quote(document)},\"variables\":{{{string.Join(",", variables)}}}}}";
        return new BadRequest(
            $"graphql {target.Name}({tested.Name}) {label}{(inline ? " inline" : "")}", "POST", Path, Encoding.UTF8.GetBytes(body), "application/json", [], Expect: expect);
    }

    /// <summary>A valid JSON value for an argument not under test; null for an optional one (left out).</summary>
    private static string? ValidArgument(GraphQLSchema schema, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> rest, SweepContext context, Target target, GraphQLArgument argument)
    {
        if (!argument.Type.NonNull)
        {
            return null;
        }

        if (argument.Type.Named.Name == "ID")
        {
            // Reads name the seeded product; writes the sweep's own target, so nothing the test checks changes.
            return JsonText.Quote((target.Operation == "mutation" ? context.TargetId : context.SeededId).ToString(CultureInfo.InvariantCulture));
        }

        return Examples.Json(argument.Name, Schema(schema, rest, argument.Name, argument.Type), context);
    }

    /// <summary>A selection for a field's type: nothing for a leaf, else its `id` or first leaf (or a path to one).</summary>
    private static string Selection(GraphQLSchema schema, GraphQLTypeRef type, int depth)
    {
        var named = schema.Types.TryGetValue(type.Named.Name ?? "", out var t) ? t : null;
        if (named is null || named.Kind is "SCALAR" or "ENUM" || depth > 3)
        {
            return "";
        }

        var callable = named.Fields.Where(f => f.Arguments.All(a => !a.Type.NonNull)).ToList();
        var leaf = callable.FirstOrDefault(f => f.Name == "id" && IsLeaf(schema, f.Type)) ?? callable.FirstOrDefault(f => IsLeaf(schema, f.Type));
        if (leaf is not null)
        {
            return $"{{ {leaf.Name} }}";
        }

        var inner = callable.First();
        return $"{{ {inner.Name} {Selection(schema, inner.Type, depth + 1)} }}";
    }

    private static bool IsLeaf(GraphQLSchema schema, GraphQLTypeRef type) =>
        schema.Types.TryGetValue(type.Named.Name ?? "", out var t) && t.Kind is "SCALAR" or "ENUM";

    /// <summary>A GraphQL input type as a sweep schema, with the REST property's rules where one has the same name.</summary>
    private static FieldSchema Schema(GraphQLSchema schema, IReadOnlyDictionary<string, (FieldSchema Schema, bool Required)> rest, string name, GraphQLTypeRef type)
    {
        var nullable = !type.NonNull;
        var named = type.Named.Name ?? "";
        var known = rest.TryGetValue(name, out var property) ? property.Schema : null;
        FieldSchema result = named switch
        {
            "String" or "ID" when known is { Kind: FieldKind.String } => known with { Nullable = nullable },
            "String" or "ID" => new FieldSchema { Kind = FieldKind.String, Nullable = nullable },
            "Int" => new FieldSchema { Kind = FieldKind.Integer, Format = "int32", Nullable = nullable, IntegralLiteralsOnly = false, Minimum = known?.Minimum, Maximum = known?.Maximum },
            "Long" => new FieldSchema { Kind = FieldKind.Integer, Format = "int64", Nullable = nullable, NumberAsString = true, IntegralLiteralsOnly = false, Minimum = known?.Minimum, Maximum = known?.Maximum },
            "Decimal" or "Float" => (known is { Kind: FieldKind.Number } ? known : new FieldSchema { Kind = FieldKind.Number }) with { Nullable = nullable, NumberAsString = true },
            "Boolean" => new FieldSchema { Kind = FieldKind.Boolean, Nullable = nullable },
            "DateTime" or "DateTimeOffset" => new FieldSchema { Kind = FieldKind.DateTime, Nullable = nullable },
            _ when schema.Types.TryGetValue(named, out var input) && input.Kind == "INPUT_OBJECT" => new FieldSchema
            {
                Kind = FieldKind.Object,
                Nullable = nullable,
                ClosedObject = true,
                Properties = input.InputFields.ToDictionary(f => f.Name, f => Schema(schema, rest, f.Name, f.Type)),
                Required = input.InputFields.Where(f => f.Type.NonNull).Select(f => f.Name).ToHashSet(),
            },
            _ => new FieldSchema { Kind = FieldKind.Any, Nullable = nullable },
        };
        return SchemaHints.Apply(name, result);
    }

    private static string Label(string text) =>
        text.Length > 24 ? $"{text.Length} characters" : text.Length == 0 ? "empty" : string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));
}
