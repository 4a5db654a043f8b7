namespace TemplatePack.Tests.Run.Sweep;

/// <summary>A path or query parameter of an operation.</summary>
public sealed record SweepParameter(string Name, ParameterLocation In, FieldSchema Schema, bool Required);

public enum ParameterLocation
{
    Path,
    Query,
}

/// <summary>
/// One HTTP operation the sweep aims at, read from the app's own description of itself: an OpenAPI operation (REST and
/// the security module's endpoints) or a proto rpc's HTTP rule (gRPC JSON transcoding).
/// </summary>
/// <param name="Name">The operationId or rpc name, for reports.</param>
/// <param name="PathTemplate">With {name} placeholders for path parameters.</param>
/// <param name="Body">The JSON body's schema; null when the operation takes none.</param>
public sealed record SweepOperation(string Name, string Method, string PathTemplate, IReadOnlyList<SweepParameter> Parameters, FieldSchema? Body)
{
    public override string ToString() => $"{Method} {PathTemplate} ({Name})";
}
