using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Company.Starter.ServiceDefaults.Tests;

/// <summary>
/// A wrong <c>Observability</c> setting stops the start, and <see cref="HostExitCode"/> turns that into the one line an
/// operator reads (the process exit itself is the API's host command tests' to prove: it ends the test process).
/// </summary>
public sealed class SettingsTests
{
    [Theory]
    [InlineData("Observability:TraceSampleRatio", "2", "TraceSampleRatio")]
    [InlineData("Observability:ManagementHost", "http://localhost:8081/", "ManagementHost is host:port")]
    [InlineData("Observability:HealthCacheDuration", "01:00:00", "HealthCacheDuration")]
    public async Task A_setting_that_fails_validation_stops_the_start_with_one_line_naming_it(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ServiceHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        var line = HostExitCode.Describe(failure);

        Assert.NotNull(line);
        Assert.StartsWith("The app cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_failed_setting_is_named_on_one_line()
    {
        var failure = new AggregateException(
            new OptionsValidationException("A", typeof(object), ["A:One is required.\nSee the docs."]),
            new OptionsValidationException("B", typeof(object), ["B:Two is out of range."]));

        var line = HostExitCode.Describe(failure);

        Assert.Equal("The app cannot start: A:One is required. See the docs. B:Two is out of range.", line);
    }

    [Fact]
    public void Any_other_failure_is_left_to_the_runtime()
    {
        Assert.Null(HostExitCode.Describe(new InvalidOperationException("a bug")));
        // A bug next to a bad setting is still a bug: its stack trace must not be swallowed.
        Assert.Null(HostExitCode.Describe(new AggregateException(
            new OptionsValidationException("A", typeof(object), ["A:One is required."]),
            new InvalidOperationException("a bug"))));
    }
}
