using System.Net;
using Company.Starter.Api.Http.Access;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Company.Starter.Api.Http;

/// <summary>
/// The HTTP contract every endpoint shares: problem details for every error, built-in validation, OpenAPI, and the
/// production limits (rate limits, request size and time, compression, CORS for the configured frontends).
/// </summary>
public static class ApiConventions
{
    public const string FrontendCorsPolicy = "frontend";

    public static TBuilder AddApiConventions<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (BuildTimeOpenApi.IsRunning)
        {
            BuildTimeOpenApi.AddPlaceholderSettings(builder.Configuration);
        }

        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Registered first, so it is asked before the framework's writer (see ProblemJsonWriter).
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsDefaults.Customize);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        // Who may do what: open to everyone unless a module that signs users in registers its own rules.
        builder.Services.AddEndpointAccess();

        // .NET 10 minimal-API validation: DataAnnotations on request types and parameters, checked before the
        // handler runs; failures become 400 validation problems.
        builder.Services.AddValidation();
        builder.Services.AddOpenApi();

        builder.Services.AddApiVersions();
        builder.Services.AddApiOutputCache();
        builder.Services.AddApiRateLimiting();
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ApiOptions>>((timeouts, api) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = api.Value.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            });
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes);

        // Compression of JSON over HTTPS is safe here: responses echo no secret next to attacker-chosen input (BREACH).
        builder.Services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = true;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            compression.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json"];
        });

        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((forwarded, api) =>
        {
            // Only the configured proxies are believed (not the framework's default loopback), and only the last hop.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in api.Value.TrustedProxies)
            {
                if (proxy.Contains('/'))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
                else
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }
            }
        });

        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<ApiOptions>>((cors, api) =>
            cors.AddPolicy(FrontendCorsPolicy, policy =>
            {
                policy.WithOrigins(api.Value.CorsOrigins)
                    .WithMethods("GET", "POST", "PUT", "DELETE")
                    .WithHeaders("Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "Authorization")
                    .WithExposedHeaders("ETag", "Location", "Retry-After", "Idempotent-Replayed");
            }));

        return builder;
    }

    public static WebApplication UseApiConventions(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
        if (options.TrustedProxies.Length > 0)
        {
            // First, so that everything after it (rate limits, HTTPS checks, logs) sees the client, not the proxy.
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        // Bare 4xx/5xx answers (unknown route, wrong method, malformed body) get a problem body too.
        app.UseStatusCodePages();
        app.Use(RejectOversizedBodies(options.MaxRequestBodyBytes));
        app.UseResponseCompression();
        app.UseCors(FrontendCorsPolicy);
        // Before the rate limiter, so that a signed-in client is limited as itself rather than by its IP address.
        app.Services.GetRequiredService<IEndpointAccess>().UseAccessControl(app);
        app.UseRateLimiter();
        // After the rate limiter: a cached answer still counts against the client's rate.
        app.UseOutputCache();
        // Writes of every protocol evict the cached reads they made stale (see OutputCaching.EvictsAttribute).
        app.UseCachedReadEviction();
        app.UseRequestTimeouts();

        if (app.Environment.IsDevelopment())
        {
            // The OpenAPI 3.1 document at /openapi/v1.json, and a UI to try it at /scalar.
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        return app;
    }

    /// <summary>
    /// A body whose declared length is over the limit gets its 413 problem before anyone reads it, the same for every
    /// surface (REST, GraphQL, transcoded gRPC, which would otherwise answer 400). Bodies without a length are cut
    /// off by the server's own limit while they are read. Not an async method: most requests only pass through, and
    /// an async frame of its own would cost every request that waits for the database an allocation and a resume.
    /// </summary>
    private static Func<RequestDelegate, RequestDelegate> RejectOversizedBodies(long limit) => next => context =>
        context.Request.ContentLength > limit
            ? ProblemDetailsDefaults.Problem(
                StatusCodes.Status413PayloadTooLarge,
                ProblemCodes.PayloadTooLarge,
                "The request body is too large.",
                $"Send at most {limit} bytes.").ExecuteAsync(context)
            : next(context);
}
