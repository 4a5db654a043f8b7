using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Company.Starter.Benchmarks;

// dotnet run -c Release --project bench/Company.Starter.Benchmarks -- --filter '*'
// (add --job short for a quick, rougher figure). Reports go to artifacts/benchmarks/, which git ignores.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root.Parent is not null && !File.Exists(Path.Combine(root.FullName, "global.json")))
{
    root = root.Parent;
}

var artifacts = Path.Combine(File.Exists(Path.Combine(root.FullName, "global.json")) ? root.FullName : Directory.GetCurrentDirectory(), "artifacts", "benchmarks");
BenchmarkSwitcher.FromAssembly(typeof(Argon2idBenchmarks).Assembly).Run(args, DefaultConfig.Instance.WithArtifactsPath(artifacts));
