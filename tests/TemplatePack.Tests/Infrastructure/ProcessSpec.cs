namespace TemplatePack.Tests.Infrastructure;

/// <summary>What to start: a program, its arguments as a list (never one string, so no quoting bugs),
/// where, with which extra environment, and how long it may take.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set (or, with a null value, removed) on top of the harness's own environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A `dotnet` invocation.</summary>
    public static ProcessSpec Dotnet(params IEnumerable<string> arguments) => new("dotnet", arguments.ToList());

    public override string ToString() =>
        $"{FileName} {string.Join(' ', Arguments.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}";
}
