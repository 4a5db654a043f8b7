using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// The <c>Messaging:Fulfilment</c> section: where the Temporal fulfilment workflows run. The server's address is the
/// connection string <c>ConnectionStrings:temporal</c> (host:port, e.g. <c>localhost:7233</c>); without it the
/// workflows are off: the worker runs none and the API answers 503 <c>workflows_unavailable</c>.
/// </summary>
public sealed class FulfilmentOptions
{
    public const string SectionName = "Messaging:Fulfilment";

    /// <summary>The connection string that names the Temporal frontend.</summary>
    public const string ConnectionStringName = "temporal";

    /// <summary>The task queue the API starts workflows on and the worker polls.</summary>
    [Required(ErrorMessage = "Messaging:Fulfilment:TaskQueue is required.")]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$", ErrorMessage = "Messaging:Fulfilment:TaskQueue must be 1-200 letters, digits, '.', '-' or '_'.")]
    public string TaskQueue { get; set; } = "order-fulfilment";

    /// <summary>The Temporal namespace (the dev server's is <c>default</c>).</summary>
    [Required(ErrorMessage = "Messaging:Fulfilment:Namespace is required.")]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$", ErrorMessage = "Messaging:Fulfilment:Namespace must be 1-255 letters, digits, '.', '-' or '_'.")]
    public string Namespace { get; set; } = "default";

    /// <summary>How long one call to Temporal may take before the API answers 503 instead of waiting on.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Messaging:Fulfilment:RequestTimeout must be between 1 second and 1 minute.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The Temporal frontend, host:port, from <c>ConnectionStrings:temporal</c>; null when the workflows are off.</summary>
    [RegularExpression(@"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$", ErrorMessage = "ConnectionStrings:temporal must be host:port, such as localhost:7233.")]
    public string? TargetHost { get; set; }
}
