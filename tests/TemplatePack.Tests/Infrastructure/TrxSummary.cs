using System.Xml.Linq;

namespace TemplatePack.Tests.Infrastructure;

/// <summary>
/// Counts from the TRX files `dotnet test --logger trx` writes (one per test project), read per result rather
/// than from the summary counters so a skipped xunit test (outcome NotExecuted) is counted as skipped.
/// </summary>
public sealed record TrxSummary(int Total, int Passed, int Failed, int Skipped, IReadOnlyList<string> Files, IReadOnlyList<string> NotPassed, IReadOnlyList<string> SkippedNames)
{
    public static TrxSummary Read(string resultsDirectory)
    {
        var files = System.IO.Directory.Exists(resultsDirectory)
            ? System.IO.Directory.GetFiles(resultsDirectory, "*.trx", SearchOption.AllDirectories)
            : [];
        int passed = 0, failed = 0, skipped = 0, total = 0;
        var notPassed = new List<string>();
        var skippedNames = new List<string>();
        foreach (var file in files)
        {
            foreach (var result in XDocument.Load(file).Descendants().Where(e => e.Name.LocalName == "UnitTestResult"))
            {
                total++;
                var outcome = (string?)result.Attribute("outcome") ?? "";
                var name = (string?)result.Attribute("testName") ?? "?";
                switch (outcome)
                {
                    case "Passed":
                        passed++;
                        break;
                    case "NotExecuted":
                        skipped++;
                        skippedNames.Add(name);
                        notPassed.Add($"skipped: {name}: {Message(result)}");
                        break;
                    default:
                        failed++;
                        notPassed.Add($"{outcome}: {name}: {Message(result)}");
                        break;
                }
            }
        }

        return new TrxSummary(total, passed, failed, skipped, files, notPassed, skippedNames);
    }

    public override string ToString() => $"total {Total}, passed {Passed}, failed {Failed}, skipped {Skipped} ({Files.Count} trx files)";

    private static string Message(XElement result)
    {
        var message = result.Descendants().FirstOrDefault(e => e.Name.LocalName is "Message" or "Text")?.Value.Trim() ?? "";
        return message.Length <= 600 ? message : message[..600] + "…";
    }
}
