using System.Text.Json;
using Company.Starter.Api.Http;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.Options;
using FieldViolation = Google.Rpc.BadRequest.Types.FieldViolation;

namespace Company.Starter.Api.Grpc;

/// <summary>
/// Transcoded calls (JSON under <c>/grpc/v1/</c>) read integer fields from route values, query strings and JSON strings
/// (proto3 JSON writes 64-bit integers as strings) with .NET's forgiving parsers: <c>/grpc/v1/products/%201</c>,
/// <c>?page_size=5%00</c> and <c>"version": "1\u0000"</c> read as 1 and 5. Binary gRPC carries integers as numbers and
/// needs no such check. This wraps each transcoded endpoint so that such text is refused, before the call is read, with
/// the INVALID_ARGUMENT (HTTP 400) any other bad field gets, unless it is in the form <see cref="StrictText"/> accepts.
/// </summary>
internal static class StrictTranscoding
{
    public static GrpcServiceEndpointConventionBuilder WithStrictTranscodedIntegers(this GrpcServiceEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault() is not { } transcoding || endpoint.RequestDelegate is not { } call)
            {
                return;
            }

            var input = transcoding.MethodDescriptor.InputType;
            // body "*" is the whole request message; body "field" that field's message; none, no body at all.
            var bodyType = transcoding.HttpRule.Body switch
            {
                "" => null,
                "*" => input,
                var field => FindField(input, field)?.MessageType,
            };
            endpoint.RequestDelegate = async context =>
            {
                var violations = new List<FieldViolation>();
                CheckUrl(context.Request, input, violations);
                if (violations.Count == 0 && bodyType is not null)
                {
                    await CheckBodyAsync(context.Request, bodyType, violations);
                }

                if (violations.Count > 0)
                {
                    await WriteInvalidArgumentAsync(context, violations);
                    return;
                }

                await call(context);
            };
        });
        return builder;
    }

    private static void CheckUrl(HttpRequest request, MessageDescriptor input, List<FieldViolation> violations)
    {
        foreach (var (name, value) in request.RouteValues)
        {
            if (value is string text && FindField(input, name) is { } field && IsInteger(field) && !StrictText.IsInteger(text))
            {
                violations.Add(Violation(field));
            }
        }

        foreach (var (name, values) in request.Query)
        {
            if (FindField(input, name) is { } field && IsInteger(field) && values.Any(text => !StrictText.IsInteger(text)))
            {
                violations.Add(Violation(field));
            }
        }
    }

    /// <summary>
    /// Reads the body once, buffered so that transcoding reads it again. A body that is no JSON is left to transcoding,
    /// which refuses it itself.
    /// </summary>
    private static async Task CheckBodyAsync(HttpRequest request, MessageDescriptor message, List<FieldViolation> violations)
    {
        request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            CheckJson(document.RootElement, message, violations);
        }
        catch (JsonException)
        {
            // Not JSON at all: transcoding refuses it with a 400 of its own when it reads the body.
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private static void CheckJson(JsonElement json, MessageDescriptor message, List<FieldViolation> violations)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in json.EnumerateObject())
        {
            if (FindField(message, property.Name) is not { } field)
            {
                continue;
            }

            var values = field.IsRepeated && property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().ToList() : [property.Value];
            foreach (var value in values)
            {
                if (IsInteger(field) && value.ValueKind == JsonValueKind.String && !StrictText.IsInteger(value.GetString()))
                {
                    violations.Add(Violation(field));
                    break;
                }

                if (field.FieldType == FieldType.Message && !field.IsMap)
                {
                    CheckJson(value, field.MessageType, violations);
                }
            }
        }
    }

    /// <summary>The field a route, query or JSON name means: its proto name or JSON name, a dotted path into sub-messages.</summary>
    private static FieldDescriptor? FindField(MessageDescriptor message, string path)
    {
        FieldDescriptor? field = null;
        foreach (var segment in path.Split('.'))
        {
            if (field is not null)
            {
                if (field.FieldType != FieldType.Message)
                {
                    return null;
                }

                message = field.MessageType;
            }

            field = message.FindFieldByName(segment) ?? message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == segment);
            if (field is null)
            {
                return null;
            }
        }

        return field;
    }

    private static bool IsInteger(FieldDescriptor field) => field.FieldType is
        FieldType.Int32 or FieldType.Int64 or FieldType.UInt32 or FieldType.UInt64 or FieldType.SInt32 or FieldType.SInt64
        or FieldType.Fixed32 or FieldType.Fixed64 or FieldType.SFixed32 or FieldType.SFixed64;

    private static FieldViolation Violation(FieldDescriptor field) => new()
    {
        Field = field.Name,
        Description = $"The {field.Name} must be a whole number such as 20: digits only, with a leading '-' if negative.",
    };

    /// <summary>Answers as transcoding answers an INVALID_ARGUMENT: HTTP 400 with the google.rpc.Status as JSON.</summary>
    private static async Task WriteInvalidArgumentAsync(HttpContext context, IReadOnlyCollection<FieldViolation> violations)
    {
        var registry = context.RequestServices.GetRequiredService<IOptions<GrpcJsonTranscodingOptions>>().Value.TypeRegistry;
        var json = new JsonFormatter(JsonFormatter.Settings.Default.WithTypeRegistry(registry)).Format(GrpcErrors.InvalidArgumentStatus(violations));
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }
}
