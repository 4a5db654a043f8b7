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

    /// <summary>Other 4xx answers (e.g. a 409 for a sku retried after an unknown outcome); allowed, counted.</summary>
    public int OtherClientErrors { get; private set; }

    /// <summary>Answers the contract forbids: any 5xx but a proper 503, a 503 without code/Retry-After, hangs.</summary>
    public List<string> Unexpected { get; } = [];

    public bool LastWasUnavailable { get; private set; }

    public async Task RecordAsync(string sku, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        LastWasUnavailable = false;
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using var json = JsonDocument.Parse(body);
            Acknowledged[sku] = json.RootElement.GetProperty("data").GetProperty("id").GetInt64();
        }
        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            LastWasUnavailable = true;
            if (IsDatabaseUnavailable(response, body))
            {
                Unavailable++;
            }
            else
            {
                Unexpected.Add($"{sku}: 503 without code database_unavailable + Retry-After: {body}");
            }
        }
        else if (status >= 500)
        {
            Unexpected.Add($"{sku}: {status} {body}");
        }
        else if (status >= 400)
        {
            OtherClientErrors++;
        }
        else
        {
            Unexpected.Add($"{sku}: {status} instead of 201: {body}");
        }
    }

    public override string ToString() =>
        $"acknowledged {Acknowledged.Count}, 503 database_unavailable {Unavailable}, other 4xx {OtherClientErrors}, unexpected {Unexpected.Count}"
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
