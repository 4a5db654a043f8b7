using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Reporting;

/// <summary>
/// The skips a CI run may have, each with the reason it cannot run on our CI machines. Under `CI=true` any other
/// skip fails the run (eng/test.sh for the harness's own tests, the generated-tests tier for the tests inside a
/// generated solution), so a service that silently stopped being installed cannot turn into a green build.
/// Outside CI, skips are reported (a developer without PostgreSQL still gets the fast tiers) but never counted as passed.
/// </summary>
public static class SkipPolicy
{
    /// <summary>
    /// Test names (full names, `*` matches anything) allowed to skip under CI, with the reason. Add an entry only for
    /// a test that needs something CI here cannot have (Temporal's test server is downloaded at run time; Docker-only
    /// Testcontainers paths), never for a service that apt or NuGet can provide.
    /// </summary>
    public static readonly IReadOnlyList<AllowedSkip> Allowed =
    [
        // The messaging module's workflow tests run on Temporal's time-skipping test server, which the SDK downloads on
        // first use (users' machines and GitHub's runners can); no download site is reachable here and no package ships
        // the binary. The activities are still tested here, for real, with ActivityEnvironment.
        new("*.Messaging.Tests.Workflows.FulfilmentWorkflowTests.*",
            "Temporal's test server is downloaded at run time; CI here has no network to download it from"),
    ];

    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { } ci && ci.Equals("true", StringComparison.OrdinalIgnoreCase);

    public static AllowedSkip? Find(string testName, IReadOnlyList<AllowedSkip>? allowed = null) =>
        (allowed ?? Allowed).FirstOrDefault(entry => entry.Matches(testName));
}

/// <summary>A test-name pattern that may skip under CI, and why.</summary>
public sealed record AllowedSkip(string Pattern, string Reason)
{
    public bool Matches(string testName) =>
        Regex.IsMatch(testName, "^" + string.Join(".*", Pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);
}
