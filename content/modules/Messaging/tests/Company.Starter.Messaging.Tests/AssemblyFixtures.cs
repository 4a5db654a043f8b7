using Company.Starter.Messaging.Tests;
using Company.Starter.Testing;

[assembly: AssemblyFixture(typeof(TestEnvironment))]
// The broker of the solution (Kafka/, RabbitMq/ or Nats/BrokerServer.cs): one per test run, each test with destinations of its own.
[assembly: AssemblyFixture(typeof(BrokerServer))]
