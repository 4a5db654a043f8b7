using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Company.Starter.Api.Security;

/// <summary>
/// Declares the bearer scheme in the OpenAPI document and marks each operation that needs a signed-in user with it,
/// so generated clients and the Scalar UI send the access token where it is needed.
/// </summary>
internal static class OpenApiSecurity
{
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddOpenApiSecurity(this IServiceCollection services)
    {
        if (Http.BuildTimeOpenApi.IsRunning)
        {
            // A throwaway key for the build's run that describes the endpoints (see BuildTimeOpenApi): it signs nothing.
            services.PostConfigure<TokenOptions>(tokens => tokens.SigningKey = Tokens.SigningKey.Generate());
        }

        return services.Configure<OpenApiOptions>("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An ES256 access token from POST /api/auth/login (browsers send it as a cookie instead).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                }

                return Task.CompletedTask;
            });
        });
    }
}
