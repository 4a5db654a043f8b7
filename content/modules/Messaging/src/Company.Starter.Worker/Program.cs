// The worker host: the outbox relay, the consumers and the Temporal worker, with the same telemetry and probes as the API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();   // telemetry, health checks, service discovery, resilience
builder.AddData();              // the database the outbox and the inbox live in
builder.AddMessagingWorker();   // relay, consumers, dead letters, workflows

var app = builder.Build();

app.MapDefaultEndpoints();

await app.RunAsync();
