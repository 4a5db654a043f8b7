using System.Globalization;
using System.Text;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// The requests for one HTTP operation (REST, the security module's endpoints, or a transcoded gRPC route): each
/// differs from a valid request in one place, a path or query parameter, one body field, or the body's structure
/// (a missing, duplicated or unknown property, a wrong top-level type, broken JSON), so an answer names its cause.
/// </summary>
public static class OperationSweep
{
    public static IEnumerable<BadRequest> For(SweepOperation operation, SweepContext context)
    {
        var valid = ValidPath(operation, context, except: null);
        var validBody = operation.Body is { } b ? Examples.Json("body", b, context) : null;

        foreach (var parameter in operation.Parameters)
        {
            if (parameter.In == ParameterLocation.Path)
            {
                foreach (var value in HostileValues.Text(parameter.Name, parameter.Schema, addressesResource: true, context).Where(v => v.Wire.Length > 0))
                {
                    yield return Request(operation, $"{parameter.Name}: {value.Label}", ValidPath(operation, context, (parameter.Name, value.Wire)), validBody, value.Expect);
                }

                continue;
            }

            SweepValue? firstRefused = null;
            foreach (var value in HostileValues.Text(parameter.Name, parameter.Schema, addressesResource: false, context))
            {
                firstRefused ??= value.Expect == Expectation.MustReject ? value : null;
                yield return Request(operation, $"?{parameter.Name}: {value.Label}", $"{valid}?{parameter.Name}={value.Wire}", validBody, value.Expect);
            }

            if (firstRefused is not null && Examples.Json(parameter.Name, parameter.Schema, context) is { } example)
            {
                // Twice: frameworks differ on which one wins, so either answer is fine, but never a 5xx.
                var text = example.Trim('"');
                yield return Request(operation, $"?{parameter.Name} twice", $"{valid}?{parameter.Name}={JsonText.PercentEncode(text)}&{parameter.Name}={firstRefused.Wire}", validBody, Expectation.MayAccept);
            }
        }

        if (operation.Body is not { } body)
        {
            yield break;
        }

        foreach (var request in Bodies(operation, body, valid, context))
        {
            yield return request;
        }
    }

    private static IEnumerable<BadRequest> Bodies(SweepOperation operation, FieldSchema body, string path, SweepContext context)
    {
        if (body.Kind == FieldKind.Object)
        {
            foreach (var (name, field) in body.Properties)
            {
                var required = body.Required.Contains(name);
                var example = Examples.Json(name, field, context) ?? "null";
                SweepValue? firstRefused = null;
                foreach (var value in HostileValues.Json(name, field, required, example, context))
                {
                    firstRefused ??= value.Expect == Expectation.MustReject && value.Label != "null" ? value : null;
                    yield return Request(operation, $"{name}: {value.Label}", path, WithProperty(body, name, value.Wire, context), value.Expect);
                }

                yield return Request(operation, $"{name} missing", path, Examples.Object(body, context, except: name), required ? Expectation.MustReject : Expectation.MayAccept);
                yield return Request(operation, $"{name} twice, both valid", path, Duplicate(body, name, Examples.Json(name, field, context) ?? "null", context), Expectation.MayAccept);
                if (firstRefused is not null)
                {
                    // Last one wins in System.Text.Json: a refused value last must be refused (a first-wins parser would differ).
                    yield return Request(operation, $"{name} twice, the second {firstRefused.Label}", path, Duplicate(body, name, firstRefused.Wire, context), Expectation.MustReject);
                }
            }

            var unknown = Examples.Object(body, context).TrimEnd('}') + (body.Properties.Count > 0 ? "," : "") + "\"sweepUnknown\":true}";
            yield return Request(operation, "unknown property", path, unknown, body.ClosedObject ? Expectation.MustReject : Expectation.MayAccept);
        }

        var validBody = Examples.Json("body", body, context)!;
        (string Label, string Json, Expectation Expect)[] structure =
        [
            ("empty object", "{}", body.Kind == FieldKind.Any || body.Required.Count > 0 ? Expectation.MustReject : Expectation.MayAccept),
            ("JSON null", "null", body.BodyMayBeNull && body.Kind != FieldKind.Any ? Expectation.MayAccept : Expectation.MustReject),
            ("array", $"[{validBody}]", Expectation.MustReject),
            ("string", "\"body\"", Expectation.MustReject),
            ("number", "1", Expectation.MustReject),
            ("truncated", validBody[..(validBody.Length / 2)], Expectation.MustReject),
            ("trailing garbage", validBody + "}", Expectation.MustReject),
            ("200 levels deep", "{\"x\":" + new string('[', 200) + new string(']', 200) + "}", Expectation.MustReject),
            ("raw NUL byte", validBody.Insert(validBody.Length / 2, "\0"), Expectation.MustReject),
        ];
        foreach (var (label, json, expect) in structure)
        {
            yield return Request(operation, $"body {label}", path, json, expect);
        }
    }

    /// <summary>
    /// The path with valid values, or with one replaced. A row id is the seeded product for reads, the sweep's own
    /// target for updates, and a missing row for deletes and anything else: a sweep never deletes a row it relies on.
    /// </summary>
    private static string ValidPath(SweepOperation operation, SweepContext context, (string Name, string Wire)? except)
    {
        var path = operation.PathTemplate;
        foreach (var parameter in operation.Parameters.Where(p => p.In == ParameterLocation.Path))
        {
            var value = except is { } e && e.Name == parameter.Name ? e.Wire
                : parameter.Schema.Kind == FieldKind.Integer
                    ? (operation.Method switch { "GET" => context.SeededId, "PUT" or "PATCH" => context.TargetId, _ => context.MissingId() }).ToString(CultureInfo.InvariantCulture)
                    : "sweep-missing-" + context.NextUnique().ToString(CultureInfo.InvariantCulture);
            path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
        }

        return path;
    }

    private static string WithProperty(FieldSchema body, string name, string wire, SweepContext context)
    {
        var rest = Examples.Object(body, context, except: name);
        return rest.Length == 2 ? $"{{{JsonText.Quote(name)}:{wire}}}" : $"{{{JsonText.Quote(name)}:{wire},{rest[1..]}";
    }

    private static string Duplicate(FieldSchema body, string name, string second, SweepContext context)
    {
        var complete = Examples.Object(body, context);
        return complete.TrimEnd('}') + (complete.Length > 2 ? "," : "") + $"{JsonText.Quote(name)}:{second}}}";
    }

    private static BadRequest Request(SweepOperation operation, string what, string path, string? body, Expectation expect) =>
        new($"{operation.Name} {what}", operation.Method, path, body is null ? null : Encoding.UTF8.GetBytes(body), body is null ? null : "application/json", [], Expect: expect);
}
