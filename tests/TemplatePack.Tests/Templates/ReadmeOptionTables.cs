using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Templates;

/// <summary>
/// Parses the README's per-template option tables. Format (one section per template):
/// <code>
/// ### fullstack-databases
/// | Option | Choices | Default | Description |
/// |---|---|---|---|
/// | `--database` | `postgres`, `sqlite` | `postgres` | Database provider ... |
/// </code>
/// The section is the first heading whose text contains the short name; its table is the first markdown table
/// before the next heading of the same or a higher level. Cells may use backticks; choices are separated by
/// commas (or `/`); an empty cell or a dash (`-`, `–`, `—`) means "none".
/// </summary>
public static partial class ReadmeOptionTables
{
    private static readonly string[] Dashes = ["-", "–", "—", "n/a"];

    /// <returns>The table's rows, or null when no heading contains <paramref name="shortName"/>.</returns>
    public static IReadOnlyList<ReadmeOptionRow>? Find(string readme, string shortName)
    {
        var lines = readme.Replace("\r\n", "\n").Split('\n');
        var start = Array.FindIndex(lines, l => Heading().Match(l) is { Success: true } m && m.Groups["text"].Value.Contains(shortName, StringComparison.Ordinal));
        if (start < 0)
        {
            return null;
        }

        var level = Heading().Match(lines[start]).Groups["hashes"].Length;
        var rows = new List<ReadmeOptionRow>();
        var inTable = false;
        for (var i = start + 1; i < lines.Length; i++)
        {
            var heading = Heading().Match(lines[i]);
            if (heading.Success && heading.Groups["hashes"].Length <= level)
            {
                break;
            }

            var line = lines[i].Trim();
            if (!line.StartsWith('|'))
            {
                if (inTable)
                {
                    break; // the first table ended
                }

                continue;
            }

            inTable = true;
            var cells = Cells(line);
            if (cells.Count < 4 || Separator().IsMatch(line) || !cells[0].StartsWith("--", StringComparison.Ordinal))
            {
                continue; // header row, separator row
            }

            rows.Add(new ReadmeOptionRow(
                FirstOption(cells[0]),
                Normalize(cells[1]) is { Length: > 0 } choices
                    ? choices.Split([',', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
                    : new HashSet<string>(StringComparer.Ordinal),
                Normalize(cells[2]),
                cells[3]));
        }

        return rows;
    }

    private static List<string> Cells(string row) =>
        row.Trim().Trim('|').Split('|').Select(c => c.Trim().Replace("`", "", StringComparison.Ordinal).Trim()).ToList();

    // "--database, -d" or "--database (-d)" → "--database"
    private static string FirstOption(string cell) => OptionToken().Match(cell).Value;

    private static string Normalize(string cell)
    {
        var text = cell.Trim();
        return Dashes.Contains(text, StringComparer.OrdinalIgnoreCase) ? "" : text;
    }

    [GeneratedRegex(@"^(?<hashes>#{1,6})\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\|?\s*:?-{3,}")]
    private static partial Regex Separator();

    [GeneratedRegex(@"--[A-Za-z0-9][A-Za-z0-9-]*")]
    private static partial Regex OptionToken();
}
