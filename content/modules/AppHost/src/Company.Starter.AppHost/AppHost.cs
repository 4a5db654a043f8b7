var builder = DistributedApplication.CreateBuilder(args);

#if (UsePostgres)
var postgres = builder.AddPostgres("postgres")
    .WithDataVolume()
    .WithLifetime(ContainerLifetime.Persistent);
var database = postgres.AddDatabase("appdb");

#endif
#if (UseRedis)
var redis = builder.AddRedis("redis");

#endif
// Schema changes are a step of their own: this resource applies the migrations and exits; the API waits for it.
var migrations = builder.AddProject<Projects.Company_Starter_Api>("migrations", launchProfileName: null)
    .WithArgs("migrate")
#if (UsePostgres)
    .WithReference(database)
    .WaitFor(database);
#else
    .WithEnvironment("ConnectionStrings__appdb", "Data Source=company_starter.db");
#endif

builder.AddProject<Projects.Company_Starter_Api>("api")
#if (UsePostgres)
    .WithReference(database)
    .WaitFor(database)
#endif
#if (UseRedis)
    .WithReference(redis)
    .WaitFor(redis)
#endif
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

await builder.Build().RunAsync();
