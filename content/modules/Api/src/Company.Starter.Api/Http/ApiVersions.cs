using Asp.Versioning;
using Asp.Versioning.Builder;

namespace Company.Starter.Api.Http;

/// <summary>
/// API versions, chosen by the client with an <c>api-version</c> header or query parameter. Unversioned requests get
/// the current version, every response reports the supported ones (<c>api-supported-versions</c>), and an unknown
/// version is a 400 problem. A breaking change ships as a new version beside the old one, never in place.
/// </summary>
public static class ApiVersions
{
    public static readonly ApiVersion V1 = new(1, 0);

    public static IServiceCollection AddApiVersions(this IServiceCollection services)
    {
        services.AddApiVersioning(versioning =>
        {
            versioning.DefaultApiVersion = V1;
            versioning.AssumeDefaultVersionWhenUnspecified = true;
            versioning.ReportApiVersions = true;
            versioning.ApiVersionReader = ApiVersionReader.Combine(
                new HeaderApiVersionReader("api-version"),
                new QueryStringApiVersionReader("api-version"));
        });

        return services;
    }

    /// <summary>
    /// A route group whose endpoints exist in version 1, read numbers and dates from the URL strictly
    /// (<see cref="StrictParameters"/>), and whose OpenAPI operations declare the problems any of them can answer
    /// (invalid input, throttling, database unavailable), so typed clients know the error shape.
    /// </summary>
    public static RouteGroupBuilder MapVersionedGroup(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ApiVersionSet versions = endpoints.NewApiVersionSet().HasApiVersion(V1).ReportApiVersions().Build();
        var group = endpoints.MapGroup(prefix).WithApiVersionSet(versions).HasApiVersion(V1).WithStrictParameters();
        group.ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }
}
