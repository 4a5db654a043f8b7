namespace TemplatePack.Tests.Naming;

/// <summary>
/// The C# identifier form of a `-n` value, as the templates must compute it: each dot-separated segment gets
/// invalid characters replaced by `_`, a `_` prefix when it starts with a digit, and a `_` prefix when it is a
/// C# keyword (the engine's safe_namespace form does not do that last step, so the templates add it).
/// The contract tier checks a generated tree against this, so the mapping is proven, not assumed.
/// </summary>
public static class CodeName
{
    public static string From(string name) => string.Join('.', name.Split('.').Select(Segment));

    private static string Segment(string segment)
    {
        var chars = segment.Select(c => CSharpIdentifier.IsPartChar(c) ? c : '_').ToArray();
        var result = new string(chars);
        if (result.Length == 0 || char.IsDigit(result[0]))
        {
            result = "_" + result;
        }

        return CSharpIdentifier.IsKeyword(result) ? "_" + result : result;
    }
}
