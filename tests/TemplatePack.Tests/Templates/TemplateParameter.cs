namespace TemplatePack.Tests.Templates;

/// <summary>A `type: parameter` symbol of template.json, with what the two host files say about it.</summary>
/// <param name="Symbol">The symbol's key in template.json.</param>
/// <param name="DataType">`choice`, `bool`, `string`, ... (as declared; empty when not declared).</param>
/// <param name="Description">The symbol's description (empty when missing).</param>
/// <param name="DefaultValue">`defaultValue`, or empty when there is none.</param>
/// <param name="Choices">`choices[].choice` in declaration order (empty for non-choice symbols).</param>
/// <param name="LongName">`longName` from dotnetcli.host.json, or null when it has no entry.</param>
/// <param name="IdeVisible">The `isVisible` of the symbol's ide.host.json entry, or null when it has none.</param>
public sealed record TemplateParameter(
    string Symbol,
    string DataType,
    string Description,
    string DefaultValue,
    IReadOnlyList<string> Choices,
    string? LongName,
    bool? IdeVisible)
{
    /// <summary>What a user types: `--` plus the CLI long name (the engine's default is the symbol name).</summary>
    public string CliOption => "--" + (LongName ?? Symbol);
}
