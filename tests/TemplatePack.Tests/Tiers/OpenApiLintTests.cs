using System.Text.Json;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The OpenAPI document the generated build writes to artifacts/openapi/ is what typed-client generators consume, so
/// it is checked by a validator that shares no code with ASP.NET Core (Redocly CLI, from npm), and its REST surface
/// (paths and operationIds clients are generated from) is checked against the contract the run tier probes.
/// </summary>
[Trait("Tier", "build")]
public sealed class OpenApiLintTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// The one pinned validator version. 2.x ships as a single bundled package (fast, no dependency tree) and its
    /// engines field accepts Node 20.19+ (the machine image has Node 20), which later majors may drop.
    /// </summary>
    private const string RedoclyPackage = "@redocly/cli@2.77.0";

    /// <summary>
    /// `spec` keeps every structural rule of OpenAPI 3.1 (the `struct` schema check, path parameters, unique
    /// operationIds, resolvable $refs, ...). On top of it, the useful rules of `recommended` that a correct document
    /// must still satisfy; purely editorial ones are not added, each named below with the reason.
    /// </summary>
    private const string RedoclyConfig = """
        extends:
          - spec
        rules:
          # Correctness beyond the schema: checked, as errors.
          no-invalid-media-type-examples: error
          no-invalid-schema-examples: error
          no-unresolved-refs: error
          operation-operationId: error
          operation-operationId-unique: error
          operation-operationId-url-safe: error
          operation-parameters-unique: error
          path-parameters-defined: error
          no-identical-paths: error
          no-ambiguous-paths: error
          no-path-trailing-slash: error
          # A documentation gap, not a spec violation: shown in the output (the API does answer 4xx problems), not failed.
          operation-4xx-response: warn
          # Not enabled (from `recommended`), each editorial rather than a violation of OpenAPI 3.1:
          #   operation-summary  - `summary` is optional; the endpoints describe themselves by operationId and tags.
          #   security-defined   - the generated API has no authentication yet; declaring a scheme would be false.
          #   no-empty-servers   - `servers` is optional; a build-time document cannot know where it will be deployed.
          #   info-license       - the license is the user's choice, unknown to the template.
          #   tag-description    - optional prose.
        """;

    // A document that breaks the spec (responses must be an object): proves the validator and config reject something.
    private const string InvalidDocument = """{"openapi":"3.1.1","info":{"title":"x","version":"1"},"paths":{"/x":{"get":{"responses":5}}}}""";

    private static readonly TimeSpan NpmInstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly object InstallLock = new();
    private static Task<Linter>? _linter;

    private static readonly (string Path, string Method, string OperationId)[] RestOperations =
    [
        ("/api/products", "get", "ListProducts"),
        ("/api/products", "post", "CreateProduct"),
        ("/api/products/{id}", "get", "GetProduct"),
        ("/api/products/{id}", "put", "UpdateProduct"),
        ("/api/products/{id}", "delete", "DeleteProduct"),
        ("/api/sales", "post", "RecordSale"),
        ("/api/sales/summary", "get", "SummarizeSales"),
    ];

    public static TheoryData<string> ScenarioIds => Scenarios.With(ScenarioChecks.OpenApiLint);

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Build_writes_a_valid_OpenApi_3_1_document(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.BuiltAsync(scenario);
        var document = Path.Combine(solution.Directory, "artifacts", "openapi", scenario.CodeName + ".Api.json");
        Assert.True(File.Exists(document), $"The build must write {document}; artifacts/openapi holds: " +
            string.Join(", ", Directory.Exists(Path.GetDirectoryName(document)) ? Directory.GetFiles(Path.GetDirectoryName(document)!).Select(Path.GetFileName) : ["(no folder)"]));

        HasTheRestContract(File.ReadAllText(document));

        var linter = await LinterAsync();
        Assert.SkipWhen(linter.Unavailable is not null, linter.Unavailable ?? "");
        var lint = await linter.LintAsync(document);
        output.WriteLine($"{RedoclyPackage} lint {Path.GetFileName(document)} (exit {lint.ExitCode}, {lint.Elapsed.TotalSeconds:F1}s):\n{lint.CombinedOutput}");
        Assert.True(lint.ExitCode == 0, $"Redocly reports spec errors in {Path.GetFileName(document)}:\n{lint.Describe()}");
    }

    private static void HasTheRestContract(string json)
    {
        using var parsed = JsonDocument.Parse(json);
        var root = parsed.RootElement;
        var version = root.TryGetProperty("openapi", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        Assert.True(version?.StartsWith("3.1", StringComparison.Ordinal) == true, $"`openapi` must be 3.1.x, is `{version}`");
        Assert.True(root.TryGetProperty("paths", out var paths) && paths.ValueKind == JsonValueKind.Object, "The document has no `paths` object.");

        var missing = RestOperations
            .Where(op => !(paths.TryGetProperty(op.Path, out var item)
                && item.TryGetProperty(op.Method, out var operation)
                && operation.TryGetProperty("operationId", out var id)
                && id.ValueKind == JsonValueKind.String
                && id.GetString() == op.OperationId))
            .Select(op => $"{op.Method.ToUpperInvariant()} {op.Path} ({op.OperationId})")
            .ToList();
        Assert.True(missing.Count == 0, $"Operations missing or with another operationId: {string.Join("; ", missing)}. Paths: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
    }

    /// <summary>Redocly installed once per run under the fixture's WorkRoot, and shown to reject an invalid document.</summary>
    private Task<Linter> LinterAsync()
    {
        lock (InstallLock)
        {
            return _linter ??= Linter.InstallAsync(fixture.NewScratchDirectory("redocly"));
        }
    }

    private sealed record Linter(string Directory, string? Unavailable)
    {
        // No telemetry or update check: CI reaches only the package registries, and the output stays deterministic.
        private static readonly Dictionary<string, string?> Quiet = new()
        {
            ["REDOCLY_TELEMETRY"] = "off",
            ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
            ["NO_COLOR"] = "1",
            ["FORCE_COLOR"] = "0",
        };

        private string Config => Path.Combine(Directory, "redocly.yaml");

        public static async Task<Linter> InstallAsync(string directory)
        {
            ProcessResult install;
            try
            {
                install = await ProcessRunner.RunAsync(new ProcessSpec("npm", ["install", "--no-audit", "--no-fund", "--prefix", directory, RedoclyPackage])
                {
                    WorkingDirectory = directory,
                    Timeout = NpmInstallTimeout,
                });
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return new Linter(directory, $"npm is not installed (needed to install {RedoclyPackage}): {e.Message}");
            }

            if (install.ExitCode != 0)
            {
                // Only an unreachable registry (npm's own error codes for it) is a skip, and under CI even that fails the run
                // (eng/test.sh refuses skips SkipPolicy does not list); any other npm failure fails here.
                var offline = new[] { "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH" }
                    .Any(marker => install.CombinedOutput.Contains(marker, StringComparison.OrdinalIgnoreCase));
                if (offline)
                {
                    return new Linter(directory, $"The npm registry cannot be reached to install {RedoclyPackage}:\n{install.Describe(2_000)}");
                }

                throw new InvalidOperationException($"npm install {RedoclyPackage} failed:\n{install.Describe()}");
            }

            var linter = new Linter(directory, null);
            File.WriteAllText(linter.Config, RedoclyConfig);
            var bad = Path.Combine(directory, "invalid.json");
            File.WriteAllText(bad, InvalidDocument);
            var rejected = await linter.LintAsync(bad);
            if (rejected.ExitCode == 0)
            {
                throw new InvalidOperationException($"Redocly accepted a document that breaks OpenAPI 3.1; the lint proves nothing:\n{rejected.Describe()}");
            }

            return linter;
        }

        public Task<ProcessResult> LintAsync(string document) =>
            ProcessRunner.RunAsync(new ProcessSpec("node", [Path.Combine(Directory, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", document, "--config", Config, "--format", "stylish"]) // one line per finding
            {
                WorkingDirectory = Directory,
                Environment = Quiet,
                Timeout = TimeSpan.FromMinutes(1),
            });
    }
}
