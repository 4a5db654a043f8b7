namespace TemplatePack.Tests.Templates;

/// <summary>One row of a README option table: `| --option | choices | default | description |`.</summary>
public sealed record ReadmeOptionRow(string Option, IReadOnlySet<string> Choices, string Default, string Description);
