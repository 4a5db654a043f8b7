using Company.Starter.Testing;

[assembly: AssemblyFixture(typeof(TestEnvironment))]
