using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Run;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The telemetry a generated app ships is checked with the real tools from apt: its /metrics passes
/// `promtool check metrics`, a real Prometheus on loopback scrapes it and answers queries about it, the shipped
/// alert rules pass `promtool check rules` and their own `promtool test rules`, and every PromQL expression of the
/// dashboard and the rules names a metric the running app emits.
/// </summary>
[Trait("Tier", "observability")]
public sealed partial class ObservabilityTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private const string Promtool = "/usr/bin/promtool";
    private const string Prometheus = "/usr/bin/prometheus";
    private static readonly TimeSpan ScrapeDeadline = TimeSpan.FromSeconds(60);

    public static TheoryData<string> MetricsScenarioIds => new(Scenarios.All.Where(s => s.MetricsEndpoint).Select(s => s.Id));

    public static TheoryData<string> DeployScenarioIds => new(Scenarios.All.Where(s => s.ObservabilityDeploy).Select(s => s.Id));

    [Theory]
    [MemberData(nameof(MetricsScenarioIds))]
    public async Task A_real_prometheus_scrapes_the_running_app_and_every_query_names_an_emitted_metric(string scenarioId)
    {
        RequireTools();
        var scenario = Scenarios.Get(scenarioId);
        await using var running = await ScenarioApp.StartAsync(fixture, scenario, "obs");
        var app = running.Host;
        var scratch = running.ScratchDirectory;
        var solution = await fixture.GenerateAsync(scenario);

        await SendTrafficAsync(app.Client);
        var metrics = await app.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        var metricsFile = Path.Combine(scratch, "metrics.txt");
        await File.WriteAllTextAsync(metricsFile, metrics, TestContext.Current.CancellationToken);
        var lint = await ProcessRunner.RunAsync(new ProcessSpec("bash", ["-c", $"{Promtool} check metrics < \"$0\"", metricsFile]), TestContext.Current.CancellationToken);
        Assert.True(lint.ExitCode == 0, $"promtool check metrics rejects the app's /metrics:\n{lint.Describe()}");

        var emitted = SeriesNames(metrics);
        Assert.Contains("http_server_request_duration_seconds_bucket", emitted);
        AssertQueriesNameEmittedMetrics(solution, emitted);

        await using var prometheus = await StartPrometheusAsync(scratch, app.BaseAddress);
        var series = await QueryUntilPresentAsync(prometheus.Client, "http_server_request_duration_seconds_count{job=\"app\"}");
        Assert.Contains(series, s => s.Route == "/api/products/{id:long}" && s.Status == "404");
        Assert.Contains(series, s => s.Route == "/api/products/" && s.Status == "201");
        var units = await QueryUntilPresentAsync(prometheus.Client, "sales_units_total{job=\"app\"}");
        Assert.Equal(3, units.Sum(s => s.Value));
    }

    [Theory]
    [MemberData(nameof(DeployScenarioIds))]
    public async Task The_shipped_alert_rules_and_prometheus_config_pass_promtool(string scenarioId)
    {
        RequireTools();
        var solution = await fixture.GenerateAsync(Scenarios.Get(scenarioId));
        var deploy = Path.Combine(solution.Directory, "deploy", "observability");
        var rules = Path.Combine(deploy, "prometheus", "rules");

        var check = await ProcessRunner.RunAsync(new ProcessSpec(Promtool, ["check", "rules", "api-alerts.yaml"]) { WorkingDirectory = rules }, TestContext.Current.CancellationToken);
        Assert.True(check.ExitCode == 0, $"promtool check rules:\n{check.Describe()}");
        Assert.Contains("SUCCESS", check.StandardOutput, StringComparison.Ordinal);

        var unit = await ProcessRunner.RunAsync(new ProcessSpec(Promtool, ["test", "rules", "api-alerts.test.yaml"]) { WorkingDirectory = rules }, TestContext.Current.CancellationToken);
        Assert.True(unit.ExitCode == 0, $"promtool test rules:\n{unit.Describe()}");
        output.WriteLine(unit.StandardOutput);

        // The compose file mounts the config at /etc/prometheus/prometheus.yml with the rules beside it: check it in that layout.
        var layout = fixture.NewScratchDirectory($"promcfg-{scenarioId}");
        File.Copy(Path.Combine(deploy, "prometheus.yaml"), Path.Combine(layout, "prometheus.yml"));
        CopyDirectory(rules, Path.Combine(layout, "rules"));
        var config = await ProcessRunner.RunAsync(new ProcessSpec(Promtool, ["check", "config", "prometheus.yml"]) { WorkingDirectory = layout }, TestContext.Current.CancellationToken);
        Assert.True(config.ExitCode == 0, $"promtool check config:\n{config.Describe()}");
    }

    private static void RequireTools() =>
        Assert.SkipUnless(File.Exists(Promtool) && File.Exists(Prometheus),
            $"{Promtool} and {Prometheus} are missing: install the Debian package `prometheus` (eng/services.sh does).");

    private static async Task SendTrafficAsync(HttpClient client)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var created = await client.PostAsJsonAsync("/api/products", new { sku = "OBS-1", name = "Observed", price = 2.5m }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("data").GetProperty("id").GetInt64();
        using var sale = await client.PostAsJsonAsync("/api/sales", new { productId = id, quantity = 3 }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, sale.StatusCode);
        using var missing = await client.GetAsync("/api/products/424242", cancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var summary = await client.GetAsync("/api/sales/summary", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
    }

    /// <summary>Every series name in a Prometheus text exposition (histograms contribute their _bucket/_sum/_count).</summary>
    private static HashSet<string> SeriesNames(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SeriesName().Match(line).Value)
            .Where(name => name.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Each metric a dashboard panel or a rule queries must be one the app emits (names with a colon are recording
    /// rules and must be recorded by the shipped rules instead): a renamed metric would leave an empty panel or an
    /// alert that can never fire.
    /// </summary>
    private void AssertQueriesNameEmittedMetrics(GeneratedSolution solution, HashSet<string> emitted)
    {
        var deploy = Path.Combine(solution.Directory, "deploy", "observability");
        var rulesText = File.ReadAllText(Path.Combine(deploy, "prometheus", "rules", "api-alerts.yaml"));
        var recorded = RecordRule().Matches(rulesText).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(deploy, "grafana", "dashboards", "api-overview.json")));
        var expressions = ExpressionsIn(dashboard.RootElement)
            .Concat(ExprRule().Matches(rulesText).Select(m => m.Groups["expr"].Value))
            .ToList();
        Assert.NotEmpty(expressions);

        // Every expression must select at least one metric, and every metric it selects must exist: an expression
        // the reader cannot find a metric in is a failure, not a pass by omission.
        var named = 0;
        var problems = new List<string>();
        foreach (var expression in expressions)
        {
            var names = PromQl.MetricNames(expression);
            if (names.Count == 0)
            {
                problems.Add($"no metric found in `{expression.Trim()}`");
            }

            foreach (var name in names)
            {
                named++;
                var known = name.Contains(':', StringComparison.Ordinal) ? recorded.Contains(name) : emitted.Contains(name);
                if (!known)
                {
                    problems.Add($"`{name}` in `{expression.Trim()}` is not emitted by the app (nor recorded by the rules)");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        output.WriteLine($"{expressions.Count} PromQL expressions, {named} metric selectors, all emitted or recorded.");
    }

    private static IEnumerable<string> ExpressionsIn(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var nested in ExpressionsIn(property.Value))
                        {
                            yield return nested;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var nested in ExpressionsIn(item))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }

    private async Task<RunningPrometheus> StartPrometheusAsync(string scratch, Uri app)
    {
        var config = Path.Combine(scratch, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: app
                static_configs:
                  - targets: ["{app.Authority}"]
            """, TestContext.Current.CancellationToken);

        // Port 0: the OS picks a free port at bind time (no race with another process), and Prometheus logs it at info.
        var process = RunningProcess.Start(new ProcessSpec(Prometheus,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(scratch, "tsdb")}",
            "--web.listen-address=127.0.0.1:0",
            "--log.level=info",
        ]));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ScrapeDeadline)
        {
            var listening = PrometheusListening().Match(process.OutputSoFar);
            if (listening.Success)
            {
                return new RunningPrometheus(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{listening.Groups["port"].Value}"), Timeout = TimeSpan.FromSeconds(5) });
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var log = process.OutputSoFar;
        await process.DisposeAsync();
        throw new Xunit.Sdk.XunitException($"Prometheus did not report its listening port within {ScrapeDeadline.TotalSeconds}s:\n{log}");
    }

    /// <summary>Polls the query API (bounded) until the query returns series; a scrape every second makes it quick.</summary>
    private async Task<List<Series>> QueryUntilPresentAsync(HttpClient prometheus, string query)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < ScrapeDeadline)
        {
            try
            {
                var answer = await prometheus.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={Uri.EscapeDataString(query)}", TestContext.Current.CancellationToken);
                var result = answer.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    output.WriteLine($"{query}: {result.GetArrayLength()} series after {clock.Elapsed.TotalSeconds:F1}s");
                    return [.. result.EnumerateArray().Select(Series.From)];
                }

                last = answer.ToString();
            }
            catch (HttpRequestException e)
            {
                last = e.Message; // Prometheus still starting
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"Prometheus returned no series for `{query}` within {ScrapeDeadline.TotalSeconds}s. Last answer: {last}");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"msg=""Listening on"" address=127\.0\.0\.1:(?<port>[0-9]+)")]
    private static partial Regex PrometheusListening();

    [GeneratedRegex(@"^\s*-?\s*record:\s*(?<name>\S+)", RegexOptions.Multiline)]
    private static partial Regex RecordRule();

    // `expr: one line` or `expr: |` followed by an indented block.
    [GeneratedRegex(@"^(?<indent>\s*)expr:\s*(?:[|>]-?\s*\n(?<expr>(?:\k<indent>\s+.*\n?)+)|(?<expr>.+))", RegexOptions.Multiline)]
    private static partial Regex ExprRule();

    private sealed record Series(string? Route, string? Status, double Value)
    {
        public static Series From(JsonElement element)
        {
            var metric = element.GetProperty("metric");
            return new Series(
                metric.TryGetProperty("http_route", out var route) ? route.GetString() : null,
                metric.TryGetProperty("http_response_status_code", out var status) ? status.GetString() : null,
                double.Parse(element.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed class RunningPrometheus(RunningProcess process, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await process.DisposeAsync();
        }
    }
}
