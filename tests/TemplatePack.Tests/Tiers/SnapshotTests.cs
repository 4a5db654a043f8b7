using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Reporting;

namespace TemplatePack.Tests.Tiers;

/// <summary>Every scenario's generated tree (minus bin/obj) equals its approved snapshot.</summary>
[Trait("Tier", "snapshot")]
public sealed class SnapshotTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private const string AcceptVariable = "FULLSTACK_ACCEPT_SNAPSHOTS";

    public static TheoryData<string> ScenarioIds => Scenarios.Ids();

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Generated_tree_matches_the_approved_snapshot(string scenarioId)
    {
        var solution = await fixture.GenerateAsync(Scenarios.Get(scenarioId));
        var received = solution.Tree;

        var verifiedPath = Path.Combine(RepoPaths.SnapshotsDirectory, $"{scenarioId}.verified.txt");
        var receivedPath = Path.Combine(RepoPaths.SnapshotsDirectory, $"{scenarioId}.received.txt");

        if (Environment.GetEnvironmentVariable(AcceptVariable) is { Length: > 0 } accept)
        {
            // Accepting is a person's decision after reading the diff: never on CI, and never reported as a pass.
            Assert.False(SkipPolicy.IsCi, $"{AcceptVariable}={accept} is refused under CI=true: snapshots are approved by a person, in a commit.");
            Assert.True(accept == "1", $"{AcceptVariable} must be 1 to accept, not '{accept}'.");
            var previous = File.Exists(verifiedPath) ? await File.ReadAllTextAsync(verifiedPath, TestContext.Current.CancellationToken) : null;
            if (previous is not null && SnapshotComparison.FirstDifference(previous, received) is null)
            {
                File.Delete(receivedPath);
                return; // nothing to accept: the tree already matches, which is a real pass
            }

            Directory.CreateDirectory(RepoPaths.SnapshotsDirectory);
            await File.WriteAllTextAsync(verifiedPath, received, TestContext.Current.CancellationToken);
            File.Delete(receivedPath);
            var message = $"{AcceptVariable}=1: accepted {TreeSnapshot.Parse(received).Count} files into {verifiedPath}; review `git diff` and run again";
            output.WriteLine(message);
            Console.WriteLine(message); // on the console too: accepting is a deliberate act the person should see
            Assert.Skip(message);
        }

        var difference = File.Exists(verifiedPath)
            ? SnapshotComparison.FirstDifference(await File.ReadAllTextAsync(verifiedPath, TestContext.Current.CancellationToken), received)
            : $"no approved snapshot {Path.GetFileName(verifiedPath)} yet";
        if (difference is null)
        {
            File.Delete(receivedPath);
            return;
        }

        await File.WriteAllTextAsync(receivedPath, received, TestContext.Current.CancellationToken);
        Assert.Fail(
            $"""
            Scenario '{scenarioId}' differs from its snapshot: {difference}
            Received tree written to {receivedPath}.
            Review it, then accept with: {AcceptVariable}=1 eng/test.sh -trait Tier=snapshot
            """);
    }
}
