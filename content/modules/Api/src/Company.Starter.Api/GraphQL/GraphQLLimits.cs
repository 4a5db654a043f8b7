using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// Bounds on what one GraphQL request may ask for, bound from the <c>GraphQL</c> configuration section. Documents over
/// a limit are refused before any resolver runs, so an abusive query costs a parse and a validation, never a database
/// trip. Every limit applies to every operation, introspection included: <c>__schema</c> is answered from memory, but
/// its answer can still be made as large as the client likes by nesting and aliasing its recursive fields.
/// </summary>
public sealed class GraphQLLimits
{
    public const string SectionName = "GraphQL";

    /// <summary>
    /// The deepest selection nesting allowed (<c>{ a { b { c } } }</c> is 3 deep). The catalogue needs 5; the standard
    /// introspection query of GraphiQL and code generators (graphql-js's <c>getIntrospectionQuery</c>) needs 13.
    /// </summary>
    [Range(1, 100)]
    public int MaxDepth { get; set; } = 15;

    /// <summary>
    /// The highest estimated cost allowed: every field costs 1, multiplied by the sizes of the lists it sits in (the
    /// page sizes <c>first</c> and <c>last</c>; for introspection, the schema's own counts of types, fields and
    /// arguments), so one wide or deeply paged query cannot ask for millions of rows or values.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxComplexity { get; set; } = 5_000;

    /// <summary>
    /// The most fields a document may select, counting every alias and every use of a fragment (a fragment spread
    /// counts its fragment's fields each time it is used). Checked in one pass before validation, so a small document
    /// whose fragments multiply each other is refused before anything walks its expansion.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFields { get; set; } = 1_000;

    /// <summary>The longest query document accepted, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueryLength { get; set; } = 16 * 1024;

    /// <summary>The largest POST body accepted, in bytes; larger bodies are answered 413 before they are parsed.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Whether <c>__schema</c> and <c>__type</c> are answered. Unset (the default): only in Development, as with
    /// OpenAPI documents and gRPC reflection; elsewhere clients build from the published schema instead, and a
    /// stranger cannot map the whole surface with one request. <c>__typename</c> always works: clients need it to
    /// tell types apart. Set <c>true</c> to serve introspection in every environment, <c>false</c> to turn it off.
    /// </summary>
    public bool? EnableIntrospection { get; set; }
}
