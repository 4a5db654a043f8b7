using System.Net;
using System.Text.Json;

namespace TemplatePack.Tests.Run;

/// <summary>What clients saw during an outage run: acknowledged writes, 503s, and anything unexpected.</summary>
public sealed class OutageLog
{
    /// <summary>sku → id of every POST answered 201.</summary>
    public Dictionary<string, long> Acknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>503 problems with `code` = database_unavailable and a Retry-After header.</summary>
    public int Unavailable { get; private set; }

    /// <summary>429 answers with Retry-After: a client sending hundreds of writes in seconds may be rate limited.</summary>
    public int RateLimited { get; private set; }

    /// <summary>
    /// Answers the contract forbids: before the cut anything but 201 (or a 429); during and after it any other 4xx
    /// (a valid write must not be refused as the client's fault because the database is away), any 5xx but a proper
    /// 503, a 503 without code/Retry-After, and hangs.
    /// </summary>
    public List<string> Unexpected { get; } = [];

    public bool LastWasUnavailable { get; private set; }

    /// <param name="phase">"before" the cut (the database is up: only 201 is right), "during" it, or "after" the restore.</param>
    public async Task RecordAsync(string phase, string sku, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        LastWasUnavailable = false;
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using var json = JsonDocument.Parse(body);
            Acknowledged[sku] = json.RootElement.GetProperty("data").GetProperty("id").GetInt64();
        }
        else if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter is not null)
        {
            RateLimited++;
            LastWasUnavailable = true; // back off as from a 503
        }
        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && phase != "before")
        {
            LastWasUnavailable = true;
            if (IsDatabaseUnavailable(response, body))
            {
                Unavailable++;
            }
            else
            {
                Unexpected.Add($"{sku} ({phase}): 503 without code database_unavailable + Retry-After: {body}");
            }
        }
        else
        {
            Unexpected.Add($"{sku} ({phase}): {status} instead of 201{(phase == "before" ? "" : " or 503 database_unavailable")}: {body}");
        }
    }

    public override string ToString() =>
        $"acknowledged {Acknowledged.Count}, 503 database_unavailable {Unavailable}, 429 {RateLimited}, unexpected {Unexpected.Count}"
        + (Unexpected.Count > 0 ? ":\n  " + string.Join("\n  ", Unexpected.Take(10)) : "");

    private static bool IsDatabaseUnavailable(HttpResponseMessage response, string body)
    {
        if (response.Headers.RetryAfter is null || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("code", out var code) && code.GetString() == "database_unavailable";
        }
        catch (JsonException)
        {
            return false; // a 503 whose body is not the problem document: counted as unexpected by the caller
        }
    }
}
