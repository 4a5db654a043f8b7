using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// Bounds on what one GraphQL request may ask for, bound from the <c>GraphQL</c> configuration section. Documents over
/// a limit are refused before any resolver runs, so an abusive query costs a parse and a validation, never a database trip.
/// </summary>
public sealed class GraphQLLimits
{
    public const string SectionName = "GraphQL";

    /// <summary>The deepest selection nesting allowed (<c>{ a { b { c } } }</c> is 3 deep).</summary>
    [Range(1, 100)]
    public int MaxDepth { get; set; } = 10;

    /// <summary>
    /// The highest estimated cost allowed: every field costs 1, multiplied by the page sizes (<c>first</c>, <c>last</c>)
    /// of the lists it sits in, so one wide or deeply paged query cannot ask for millions of rows.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxComplexity { get; set; } = 5_000;

    /// <summary>The longest query document accepted, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueryLength { get; set; } = 16 * 1024;

    /// <summary>The largest POST body accepted, in bytes; larger bodies are answered 413 before they are parsed.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;
}
