using System.Security.Cryptography;
using System.Text;

namespace TemplatePack.Tests.Infrastructure;

/// <summary>
/// A directory tree rendered as one reviewable text: files sorted by relative path (`/` separators), each a
/// header line `===== path =====` then its content with `\r\n` → `\n`; binary files as a SHA-256 line.
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
            var content = RenderContent(File.ReadAllBytes(Path.Combine(root, path)));
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

    private static string RenderContent(byte[] bytes)
    {
        if (Array.IndexOf(bytes, (byte)0) < 0)
        {
            try
            {
                var text = StrictUtf8.GetString(bytes);
                // A UTF-8 BOM is content too, but invisible in a diff; keep it visible and stable.
                return (text.StartsWith('\uFEFF') ? "<BOM>" + text[1..] : text).Replace("\r\n", "\n");
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8 text: fall through to the hash.
            }
        }

        return $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}\n";
    }
}
