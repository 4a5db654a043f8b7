namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// What the schemas do not state but the sweep must know to judge a value, each a fact of the generated code. Kept
/// small and named, so that a schema growing the fact (e.g. `multipleOf: 0.01`) replaces the hint.
/// </summary>
public static class SchemaHints
{
    /// <summary>Money columns are numeric(18,2) (Data/Products/ProductConfiguration, Sales/SaleConfiguration).</summary>
    public const int MoneyScale = 2;

    public static FieldSchema Apply(string name, FieldSchema schema)
    {
        if (schema.Kind == FieldKind.Number && schema.Scale is null && name.Contains("price", StringComparison.OrdinalIgnoreCase))
        {
            schema = schema with { Scale = MoneyScale };
        }

        if (schema.Kind == FieldKind.String && schema.Role == TextRole.Plain)
        {
            if (name is "cursor" or "page_token" or "pageToken" or "after")
            {
                schema = schema with { Role = TextRole.Cursor };
            }
            else if (name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Token", StringComparison.Ordinal))
            {
                // Passwords and refresh tokens are compared, never stored or shown: a token that is not one
                // the app issued may be refused or ignored (logout answers 204 either way), but never a 5xx.
                schema = schema with { Role = TextRole.Secret };
            }
            else if (schema.Choices is { Count: > 0 } || (schema.Default is { Length: > 0 } && name == "bucket"))
            {
                // The summary's bucket is an enum bound from a string: its document states only the default, so the
                // choices come from the endpoint (SalesEndpoints: minute, hour, day).
                schema = schema with { Role = TextRole.Choice, Choices = schema.Choices ?? (name == "bucket" ? ["minute", "hour", "day"] : [schema.Default!]) };
            }
        }

        return schema;
    }
}
