namespace TemplatePack.Tests.Run.Sweep;

/// <summary>The JSON shape of a value, as far as the sweep needs it to make wrong ones.</summary>
public enum FieldKind
{
    String,
    Integer,
    Number,
    Boolean,
    DateTime,
    Object,

    /// <summary>No schema (a JsonElement body such as a WebAuthn credential): anything parses, so only structure can be wrong.</summary>
    Any,
}

/// <summary>What a string means to the app, which decides whether odd characters in it must be refused.</summary>
public enum TextRole
{
    /// <summary>Text that is stored or shown (a name, an email, a token): control and invisible characters must be refused.</summary>
    Plain,

    /// <summary>A password: hashed and never shown, so any character is the owner's business; only length and UTF-16 validity count.</summary>
    Secret,

    /// <summary>A paging cursor this service issued: the sweep forges well-formed ones with hostile keys (<see cref="HostileCursors"/>).</summary>
    Cursor,

    /// <summary>A word from a fixed set (an enum, or a parameter whose default names one).</summary>
    Choice,
}

/// <summary>
/// One field, parameter or argument, with the constraints the schema states (OpenAPI, proto, GraphQL introspection).
/// Whether a generated value is malformed is decided from these, so a value the schema allows is never required to
/// be refused.
/// </summary>
public sealed record FieldSchema
{
    public required FieldKind Kind { get; init; }

    /// <summary>int32 / int64 for integers; the limits of the type on top of <see cref="Minimum"/>/<see cref="Maximum"/>.</summary>
    public string? Format { get; init; }

    /// <summary>JSON null is allowed by the type (OpenAPI `"null"` in `type`, a nullable GraphQL type).</summary>
    public bool Nullable { get; init; }

    /// <summary>A number may also come as a JSON string (ASP.NET Core's web defaults, proto3 JSON for 64-bit integers).</summary>
    public bool NumberAsString { get; init; }

    /// <summary>A decimal sent as a JSON string only (the proto's `string price`): a JSON number is the wrong type.</summary>
    public bool NumberOnlyAsString { get; init; }

    /// <summary>
    /// An integer must be written as digits only ("1e3" and "2.0" are refused), as System.Text.Json reads them. Proto3
    /// JSON and GraphQL parsers may take an integral exponent form, so there such a literal may be accepted.
    /// </summary>
    public bool IntegralLiteralsOnly { get; init; } = true;

    public string? Pattern { get; init; }

    public int? MinLength { get; init; }

    public int? MaxLength { get; init; }

    public decimal? Minimum { get; init; }

    public decimal? Maximum { get; init; }

    /// <summary>Digits allowed after the point (a money column's scale); null when the schema says nothing.</summary>
    public int? Scale { get; init; }

    public IReadOnlyList<string>? Choices { get; init; }

    public string? Default { get; init; }

    public TextRole Role { get; init; } = TextRole.Plain;

    /// <summary>Object properties by JSON name (for <see cref="FieldKind.Object"/>).</summary>
    public IReadOnlyDictionary<string, FieldSchema> Properties { get; init; } = new Dictionary<string, FieldSchema>();

    /// <summary>Properties that must be present and not null (OpenAPI `required`, validated by [Required]).</summary>
    public IReadOnlySet<string> Required { get; init; } = new HashSet<string>();

    /// <summary>The whole body may be JSON null (an optional body).</summary>
    public bool BodyMayBeNull { get; init; }

    /// <summary>
    /// Unknown properties are an error (GraphQL input objects, proto3 JSON); ASP.NET Core's JSON binding ignores them,
    /// so there an unknown property may be accepted.
    /// </summary>
    public bool ClosedObject { get; init; }

    public override string ToString() =>
        $"{Kind}{(Format is null ? "" : $"({Format})")}{(Role == TextRole.Plain ? "" : $" {Role}")}";
}
