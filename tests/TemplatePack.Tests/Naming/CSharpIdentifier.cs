using System.Globalization;

namespace TemplatePack.Tests.Naming;

/// <summary>Just enough of the C# lexical rules to tell whether a generated name compiles as an identifier.</summary>
public static class CSharpIdentifier
{
    // Reserved keywords only: contextual keywords (var, async, record, ...) are legal identifiers.
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    ];

    public static bool IsKeyword(string word) => Keywords.Contains(word);

    public static bool IsStartChar(char c) => c == '_' || char.IsLetter(c);

    public static bool IsPartChar(char c) =>
        IsStartChar(c) || char.GetUnicodeCategory(c) is UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>True when <paramref name="name"/> is one identifier that is not a reserved keyword.</summary>
    public static bool IsValid(string name) =>
        name.Length > 0 && IsStartChar(name[0]) && name.All(IsPartChar) && !IsKeyword(name);

    /// <summary>True when every dot-separated segment of a namespace or project name is a valid identifier.</summary>
    public static bool IsValidDottedName(string name) => name.Split('.').All(IsValid);
}
