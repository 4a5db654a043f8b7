using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Company.Starter.Api.Http;

/// <summary>Limits and cross-origin settings of the HTTP API, bound from the <c>Api</c> section.</summary>
public sealed class ApiOptions : IValidatableObject
{
    public const string SectionName = "Api";

    /// <summary>Origins of the frontends allowed to call the API from a browser (e.g. <c>https://app.example.com</c>). Empty: none.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>
    /// The reverse proxies (load balancer, ingress) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
    /// believed: addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/8</c>). Set it when the API runs behind one, or every
    /// client seems to come from the proxy's address and shares one rate limit. Empty: the headers are ignored, since
    /// any client could send them.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Requests a client (user, else IP address) may burst before it is throttled.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 200;

    /// <summary>Requests a client regains every <see cref="RateLimitPeriod"/> after a burst.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerPeriod { get; set; } = 100;

    /// <summary>How often a client's bucket is refilled with <see cref="RateLimitPerPeriod"/> requests.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest time a request may run before it is cancelled with a 504.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body accepted; larger ones get a 413 before the body is read.</summary>
    [Range(1_024, 104_857_600)]
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies)
        {
            if (!(proxy.Contains('/') ? IPNetwork.TryParse(proxy, out _) : IPAddress.TryParse(proxy, out _)))
            {
                yield return new ValidationResult($"'{proxy}' is neither an IP address nor a network such as 10.0.0.0/8.", [nameof(TrustedProxies)]);
            }
        }

        foreach (var origin in CorsOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.PathAndQuery != "/")
            {
                yield return new ValidationResult($"'{origin}' is not an origin: use scheme://host[:port], e.g. https://app.example.com.", [nameof(CorsOrigins)]);
            }
        }
    }
}
