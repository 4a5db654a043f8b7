var builder = DistributedApplication.CreateBuilder(args);

// The database every API process uses (DatabaseResources.*.cs holds the provider's resource).
var database = builder.AddAppDatabase();

// Schema changes are a step of their own: this resource applies the migrations and exits; the API waits for it.
var migrations = builder.AddProject<Projects.Company_Starter_Api>("migrations", launchProfileName: null)
    .WithArgs("migrate")
    .WithAppDatabase(database);

builder.AddProject<Projects.Company_Starter_Api>("api")
    .WithAppDatabase(database)
#if (UseRedis)
    .WithAppCache()
#endif
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

await builder.Build().RunAsync();
