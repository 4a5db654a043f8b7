using System.Diagnostics;

namespace Company.Starter.Data;

/// <summary>
/// The data module's own spans. ServiceDefaults collects every source named <c>Company.Starter.*</c>.
/// </summary>
public static class DataTelemetry
{
    public const string Name = "Company.Starter.Data";

    public static readonly ActivitySource ActivitySource = new(Name);
}
