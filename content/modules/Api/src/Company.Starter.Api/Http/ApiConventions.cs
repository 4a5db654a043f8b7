namespace Company.Starter.Api.Http;

/// <summary>The HTTP contract every endpoint shares: problem details for every error, built-in validation, OpenAPI.</summary>
public static class ApiConventions
{
    public static TBuilder AddApiConventions<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsDefaults.Customize);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();

        // .NET 10 minimal-API validation: DataAnnotations on request types and parameters, checked before the
        // handler runs; failures become 400 validation problems.
        builder.Services.AddValidation();
        builder.Services.AddOpenApi();

        return builder;
    }

    public static WebApplication UseApiConventions(this WebApplication app)
    {
        app.UseExceptionHandler();
        // Bare 4xx/5xx answers (unknown route, wrong method, malformed body) get a problem body too.
        app.UseStatusCodePages();

        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
        }

        return app;
    }
}
