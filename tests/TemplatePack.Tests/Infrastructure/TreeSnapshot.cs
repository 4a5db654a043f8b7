using System.Security.Cryptography;
using System.Text;

namespace TemplatePack.Tests.Infrastructure;

/// <summary>
/// A directory tree rendered as one reviewable text: files sorted by relative path (`/` separators), each a
/// header line `===== path =====` then, for a wiring file (where the template's choices meet: project, solution and
/// package files, Program.cs, AppHost.cs, settings, the README), its content with `\r\n` → `\n`; for every other
/// file a `sha256:` line of its normalised content. A change to a module's file then changes one line per scenario
/// snapshot instead of rewriting its text in each, and still fails the tier until approved; the wiring files, whose
/// text differs from scenario to scenario, stay readable in the diff.
/// </summary>
public static class TreeSnapshot
{
    public const string HeaderPrefix = "===== ";
    public const string HeaderSuffix = " =====";

    private static readonly HashSet<string> IgnoredDirectories = ["bin", "obj"];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Render(string root)
    {
        var builder = new StringBuilder();
        foreach (var path in Files(root))
        {
            builder.Append(HeaderPrefix).Append(path).Append(HeaderSuffix).Append('\n');
            var content = RenderContent(File.ReadAllBytes(Path.Combine(root, path)), IsWiring(path));
            builder.Append(content);
            if (content.Length > 0 && !content.EndsWith('\n'))
            {
                builder.Append('\n');
            }
        }

        return builder.ToString();
    }

    /// <summary>Splits a rendered snapshot back into path → content, to name the first differing file.</summary>
    public static SortedDictionary<string, string> Parse(string snapshot)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var content = new StringBuilder();
        foreach (var line in snapshot.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith(HeaderPrefix, StringComparison.Ordinal) && line.EndsWith(HeaderSuffix, StringComparison.Ordinal))
            {
                Flush();
                current = line[HeaderPrefix.Length..^HeaderSuffix.Length];
                content.Clear();
            }
            else
            {
                content.Append(line).Append('\n');
            }
        }

        Flush();
        return files;

        void Flush()
        {
            if (current is not null)
            {
                files[current] = content.ToString();
            }
        }
    }

    private static IEnumerable<string> Files(string root) =>
        System.IO.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(relative => !relative.Split('/')[..^1].Any(IgnoredDirectories.Contains))
            .Order(StringComparer.Ordinal);

    /// <summary>Files where template options meet, kept as text in snapshots; see the class summary.</summary>
    public static bool IsWiring(string relativePath)
    {
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        return name is "Program.cs" or "AppHost.cs" or "global.json" or "README.md" or "launchSettings.json" or "dotnet-tools.json"
            || name.StartsWith("appsettings", StringComparison.Ordinal)
            || Path.GetExtension(name) is ".slnx" or ".csproj" or ".props" or ".targets"
            || relativePath.StartsWith(".github/workflows/", StringComparison.Ordinal)
            || relativePath.StartsWith(".template.config/", StringComparison.Ordinal);
    }

    private static string RenderContent(byte[] bytes, bool wiring)
    {
        if (Array.IndexOf(bytes, (byte)0) < 0)
        {
            try
            {
                var text = StrictUtf8.GetString(bytes);
                // A UTF-8 BOM is content too, but invisible in a diff; keep it visible and stable.
                var normalised = (text.StartsWith('\uFEFF') ? "<BOM>" + text[1..] : text).Replace("\r\n", "\n");
                return wiring ? normalised : $"sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)))}\n";
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8 text: fall through to the hash.
            }
        }

        return $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}\n";
    }
}
