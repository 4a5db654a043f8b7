using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Company.Starter.Api.Http.Access;

public static class EndpointAccessExtensions
{
    /// <summary>
    /// Registers <see cref="OpenAccess"/> unless a module already registered its own rules; a module registered later
    /// replaces it (<see cref="ServiceCollectionDescriptorExtensions.Replace"/>).
    /// </summary>
    public static IServiceCollection AddEndpointAccess(this IServiceCollection services)
    {
        services.TryAddSingleton<OpenAccess>();
        services.TryAddSingleton<IEndpointAccess>(provider => provider.GetRequiredService<OpenAccess>());
        services.TryAddSingleton<IProductAccess>(provider => provider.GetRequiredService<OpenAccess>());
        return services;
    }

    /// <summary>Declares the access an endpoint needs; <see cref="IEndpointAccess"/> decides what that takes.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, EndpointAccess access) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.ApplicationServices.GetRequiredService<IEndpointAccess>().Require(endpoint, access));
        return builder;
    }

    /// <summary>
    /// Applies the <see cref="RequiresAccessAttribute"/> of each method (gRPC's services declare access on their methods,
    /// which become one endpoint each, transcoded ones included).
    /// </summary>
    public static TBuilder WithDeclaredAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<RequiresAccessAttribute>().LastOrDefault() is { } declared)
            {
                endpoint.ApplicationServices.GetRequiredService<IEndpointAccess>().Require(endpoint, declared.Access);
            }
        });
        return builder;
    }
}
