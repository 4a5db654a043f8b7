using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The observability tier's "every query names an emitted metric" is only as strong as the reader that finds the
/// metric names: it must see bare names too (`up`, `rate(x[5m])`), and must not mistake functions, operators or label
/// names for metrics.
/// </summary>
[Trait("Tier", "contract")]
public sealed class PromQlTests
{
    [Theory]
    [InlineData("up", "up")]
    [InlineData("sum(rate(http_requests_total[5m]))", "http_requests_total")]
    [InlineData("sum(rate(http_requests_total{job=\"app\", route=~\"/api/.*\"}[$__rate_interval]))", "http_requests_total")]
    [InlineData("histogram_quantile(0.95, sum by (le, http_route) (rate(duration_seconds_bucket{job=\"app\"}[5m])))", "duration_seconds_bucket")]
    [InlineData("a_total / ignoring(code) group_left b_total", "a_total b_total")]
    [InlineData("sum without (instance) (x_bytes) > 1e6 and on(job) y_bytes offset 5m", "x_bytes y_bytes")]
    [InlineData("job:http_requests:rate5m > bool 0.5", "job:http_requests:rate5m")]
    [InlineData("sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m])) > 0.05", "errors_total requests_total")]
    [InlineData("max_over_time(latency_seconds[1h:5m]) # a comment naming not_a_metric", "latency_seconds")]
    [InlineData("vector(1)", "")]
    public void Reads_the_metric_names_of_an_expression(string expression, string expected) =>
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), PromQl.MetricNames(expression));

    [Fact]
    public void A_renamed_metric_without_selector_braces_is_seen()
    {
        // The old pattern only saw `name{` and `name[`: a bare renamed metric slipped through as "no metric".
        Assert.Equal(["renamed_metric_total"], PromQl.MetricNames("sum(renamed_metric_total) by (job)"));
    }
}
