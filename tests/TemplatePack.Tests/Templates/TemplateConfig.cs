using System.Text.Json;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Templates;

/// <summary>Reads a template's .template.config folder: template.json plus its CLI and IDE host files.</summary>
public sealed record TemplateConfig(string ShortName, string Description, IReadOnlyList<TemplateParameter> Parameters)
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TemplateConfig Load(string shortName)
    {
        var folder = RepoPaths.TemplateConfig(shortName);
        using var template = Read(Path.Combine(folder, "template.json"));
        using var cli = Read(Path.Combine(folder, "dotnetcli.host.json"));
        using var ide = Read(Path.Combine(folder, "ide.host.json"));

        var longNames = CliLongNames(cli.RootElement);
        var visibility = IdeVisibility(ide.RootElement);
        var parameters = new List<TemplateParameter>();
        if (template.RootElement.TryGetProperty("symbols", out var symbols))
        {
            foreach (var symbol in symbols.EnumerateObject())
            {
                if (Text(symbol.Value, "type") != "parameter")
                {
                    continue;
                }

                var choices = symbol.Value.TryGetProperty("choices", out var list)
                    ? list.EnumerateArray().Select(c => Text(c, "choice")).ToList()
                    : [];
                parameters.Add(new TemplateParameter(
                    symbol.Name,
                    Text(symbol.Value, "datatype"),
                    Text(symbol.Value, "description"),
                    Text(symbol.Value, "defaultValue"),
                    choices,
                    longNames.GetValueOrDefault(symbol.Name),
                    visibility.TryGetValue(symbol.Name, out var visible) ? visible : null));
            }
        }

        var shortNameInFile = Text(template.RootElement, "shortName");
        if (shortNameInFile != shortName)
        {
            throw new InvalidDataException($"templates/{shortName}/.template.config/template.json has shortName '{shortNameInFile}'.");
        }

        return new TemplateConfig(shortName, Text(template.RootElement, "description"), parameters);
    }

    private static JsonDocument Read(string path) =>
        File.Exists(path)
            ? JsonDocument.Parse(File.ReadAllText(path), Lenient)
            : throw new FileNotFoundException($"Missing {Path.GetRelativePath(RepoPaths.Root, path)}", path);

    // dotnetcli.host.json: { "symbolInfo": { "<symbol>": { "longName": "...", "shortName": "..." } } }
    private static Dictionary<string, string> CliLongNames(JsonElement root) =>
        root.TryGetProperty("symbolInfo", out var info) && info.ValueKind == JsonValueKind.Object
            ? info.EnumerateObject()
                .Where(p => Text(p.Value, "longName").Length > 0)
                .ToDictionary(p => p.Name, p => Text(p.Value, "longName"))
            : [];

    // ide.host.json: { "symbolInfo": [ { "id": "<symbol>", "isVisible": true, ... } ] }
    private static Dictionary<string, bool> IdeVisibility(JsonElement root) =>
        root.TryGetProperty("symbolInfo", out var info) && info.ValueKind == JsonValueKind.Array
            ? info.EnumerateArray()
                .Where(e => Text(e, "id").Length > 0)
                .ToDictionary(
                    e => Text(e, "id"),
                    e => e.TryGetProperty("isVisible", out var v) && (v.ValueKind == JsonValueKind.True
                        || (v.ValueKind == JsonValueKind.String && bool.TryParse(v.GetString(), out var parsed) && parsed)))
            : [];

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() ?? "",
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.GetRawText(),
                _ => "",
            }
            : "";
}
