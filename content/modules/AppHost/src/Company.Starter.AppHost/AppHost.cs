var builder = DistributedApplication.CreateBuilder(args);

// The database every API process uses (DatabaseResources.*.cs holds the provider's resource).
var database = builder.AddAppDatabase();

// Schema changes are a step of their own: this resource applies the migrations and exits; the API waits for it.
var migrations = builder.AddProject<Projects.Company_Starter_Api>("migrations", launchProfileName: null)
    .WithArgs("migrate")
    .WithAppDatabase(database);

var api = builder.AddProject<Projects.Company_Starter_Api>("api")
    .WithAppDatabase(database)
#if (UseRedis)
    .WithAppCache()
#endif
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

#if (UseMessaging)
// The worker publishes the orders' outbox to the broker and consumes it; the API starts the workflows it runs.
var broker = builder.AddBroker();
var temporal = builder.AddTemporalDevServer();
api.WithTemporal(temporal);
builder.AddProject<Projects.Company_Starter_Worker>("worker")
    .WithAppDatabase(database)
#if (UseRedis)
    .WithAppCache()
#endif
    .WithBroker(broker)
    .WithTemporal(temporal)
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

#endif

await builder.Build().RunAsync();
