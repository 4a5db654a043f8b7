// The worker host: the outbox relay, the consumers and the Temporal worker, with the same telemetry and probes as the API.
// It runs as many replicas as you like: one relay publishes at a time (the others stand by), and the consumer group
// shares the broker's partitions or queue among them.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();   // telemetry, health checks, service discovery, resilience
builder.AddData();              // the database the outbox and the inbox live in
builder.AddMessagingWorker();   // relay, consumers, dead letters, workflows

var app = builder.Build();

app.MapDefaultEndpoints();

await app.RunAsync();

/// <summary>The worker's entry point, named so that tests can host it (WebApplicationFactory&lt;Program&gt;).</summary>
public partial class Program;
