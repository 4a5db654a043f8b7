using System.Text;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>One answered request of a sweep and what the contract says of it.</summary>
/// <param name="TraceId">The W3C trace id the request carried, which the app's log lines for it carry too.</param>
public sealed record SweepOutcome(int Index, BadRequest Request, int Status, string? MediaType, string Body, string? Violation, TimeSpan Elapsed, string TraceId)
{
    public string Describe() =>
        $"#{Index} {Request}\n    → {(Status == 0 ? "no answer" : Status.ToString(System.Globalization.CultureInfo.InvariantCulture))} {MediaType ?? "(no content type)"} " +
        $"{BadRequest.Excerpt(Encoding.UTF8.GetBytes(Body), 300)}\n    ✗ {Violation}";
}
