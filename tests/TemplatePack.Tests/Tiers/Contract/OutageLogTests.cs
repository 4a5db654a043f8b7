using System.Net;
using System.Text;
using TemplatePack.Tests.Run;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The outage test's verdicts on fixed answers: a client error for a valid write is a violation in every phase, a 503
/// is only acceptable once the database is cut and only as the documented problem, a 429 is a client being throttled.
/// </summary>
[Trait("Tier", "contract")]
public sealed class OutageLogTests
{
    [Fact]
    public async Task A_client_error_for_a_valid_write_is_unexpected_in_every_phase()
    {
        var log = new OutageLog();
        await log.RecordAsync("before", "a", Answer(HttpStatusCode.BadRequest, Problem("validation_failed")));
        await log.RecordAsync("during", "b", Answer(HttpStatusCode.Unauthorized, ""));
        await log.RecordAsync("after", "c", Answer(HttpStatusCode.Conflict, Problem("conflict")));

        Assert.Equal(3, log.Unexpected.Count);
        Assert.Empty(log.Acknowledged);
    }

    [Fact]
    public async Task A_503_is_expected_only_during_or_after_the_cut_and_only_as_the_problem_with_retry_after()
    {
        var log = new OutageLog();
        await log.RecordAsync("during", "a", Answer(HttpStatusCode.ServiceUnavailable, Problem("database_unavailable"), retryAfter: true));
        await log.RecordAsync("during", "b", Answer(HttpStatusCode.ServiceUnavailable, Problem("database_unavailable"), retryAfter: false));
        await log.RecordAsync("before", "c", Answer(HttpStatusCode.ServiceUnavailable, Problem("database_unavailable"), retryAfter: true));
        await log.RecordAsync("during", "d", Answer(HttpStatusCode.InternalServerError, Problem("unexpected")));

        Assert.Equal(1, log.Unavailable);
        Assert.Equal(["b (during)", "c (before)", "d (during)"], log.Unexpected.Select(u => u[..u.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task Created_writes_are_acknowledged_and_a_429_with_retry_after_is_counted_apart()
    {
        var log = new OutageLog();
        await log.RecordAsync("before", "a", Answer(HttpStatusCode.Created, """{"data":{"id":7}}"""));
        await log.RecordAsync("during", "b", Answer(HttpStatusCode.TooManyRequests, Problem("rate_limited"), retryAfter: true));

        Assert.Equal(7, log.Acknowledged["a"]);
        Assert.Equal(1, log.RateLimited);
        Assert.Empty(log.Unexpected);
    }

    private static string Problem(string code) => $$"""{"status":0,"code":"{{code}}","severity":"error"}""";

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, bool retryAfter = false)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(body, Encoding.UTF8, body.Contains("\"code\"", StringComparison.Ordinal) ? "application/problem+json" : "application/json"),
        };
        if (retryAfter)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        }

        return response;
    }
}
