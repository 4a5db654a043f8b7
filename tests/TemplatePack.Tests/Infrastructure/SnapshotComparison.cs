namespace TemplatePack.Tests.Infrastructure;

/// <summary>Finds the first difference between two rendered trees, stated as a file and a line.</summary>
public static class SnapshotComparison
{
    /// <returns>Null when equal, else a human description of the first difference.</returns>
    public static string? FirstDifference(string verified, string received)
    {
        if (verified.Replace("\r\n", "\n") == received)
        {
            return null;
        }

        var expected = TreeSnapshot.Parse(verified);
        var actual = TreeSnapshot.Parse(received);
        foreach (var path in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            if (!expected.TryGetValue(path, out var expectedContent))
            {
                return $"{path}: generated but not in the verified snapshot";
            }

            if (!actual.TryGetValue(path, out var actualContent))
            {
                return $"{path}: in the verified snapshot but not generated";
            }

            if (expectedContent != actualContent)
            {
                return $"{path}: {FirstDifferentLine(expectedContent, actualContent)}";
            }
        }

        return "the files are equal but the text differs (header or separator formatting)";
    }

    private static string FirstDifferentLine(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"line {i + 1}\n  verified: {e}\n  received: {a}";
            }
        }

        return "content differs";
    }
}
