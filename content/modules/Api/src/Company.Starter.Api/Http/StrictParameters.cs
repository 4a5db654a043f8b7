using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Company.Starter.Api.Http;

/// <summary>
/// Minimal APIs bind route and query values with .NET's forgiving parsers: <c>limit=5%00</c>, <c>limit=+5</c> and
/// <c>/api/products/%201</c> bind as 5 and 1, <c>to=2026-01-01T00:00:00Z%00</c> and <c>to=01/05/2026</c> as dates. This
/// endpoint filter reads again the text each number and date parameter was bound from and answers a 400 validation
/// problem naming the parameter unless it is in the form <see cref="StrictText"/> accepts. It runs after binding: text
/// the framework cannot bind at all is already a 400 by then.
/// </summary>
internal static class StrictParameters
{
    /// <summary>Adds the check to every endpoint of <paramref name="builder"/> that binds a number or a date from the URL.</summary>
    public static TBuilder WithStrictParameters<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(Create);

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var checks = context.MethodInfo.GetParameters().Select(CheckFor).OfType<Check>().ToArray();
        if (checks.Length == 0)
        {
            return next;
        }

        return invocation =>
        {
            foreach (var check in checks)
            {
                if (check.Refuses(invocation.HttpContext.Request))
                {
                    return ValueTask.FromResult<object?>(TypedResults.ValidationProblem(
                        new Dictionary<string, string[]>(StringComparer.Ordinal) { [check.Name] = [check.Message] }));
                }
            }

            return next(invocation);
        };
    }

    /// <summary>What to check for a handler parameter; null for what is not bound from the URL or is not a number or a date.</summary>
    private static Check? CheckFor(ParameterInfo parameter)
    {
        var attributes = parameter.GetCustomAttributes(inherit: true);
        if (parameter.Name is null || attributes.Any(attribute => attribute is IFromBodyMetadata or IFromServiceMetadata or IFromHeaderMetadata or IFromFormMetadata or AsParametersAttribute))
        {
            return null;
        }

        var name = attributes.OfType<IFromQueryMetadata>().FirstOrDefault()?.Name
            ?? attributes.OfType<IFromRouteMetadata>().FirstOrDefault()?.Name
            ?? parameter.Name;
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            return new Check(name, text => StrictText.IsInteger(text), $"The {name} must be a whole number such as 20.");
        }

        if (type == typeof(decimal))
        {
            return new Check(name, text => StrictText.IsDecimal(text), $"The {name} must be a decimal number such as 19.90.");
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return new Check(
                name,
                text => StrictText.TryParseDateTimeOffset(text, out _),
                $"The {name} must be a date and time with its offset (RFC 3339), such as 2026-05-01T00:00:00Z.");
        }

        return null;
    }

    private sealed record Check(string Name, Func<string, bool> Accepts, string Message)
    {
        /// <summary>
        /// True when the text the parameter was bound from is not in the strict form. A route value wins over a query
        /// value of the same name, as in binding; an absent or empty value is left to the parameter's default.
        /// </summary>
        public bool Refuses(HttpRequest request)
        {
            if (request.RouteValues.TryGetValue(Name, out var routeValue))
            {
                return routeValue is string text && !Accepts(text);
            }

            foreach (var text in request.Query[Name])
            {
                if (!string.IsNullOrEmpty(text) && !Accepts(text))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
