using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Company.Starter.Api.Http;

/// <summary>
/// ETags from an entity's optimistic-concurrency version. The tag names the version of the resource, so it is strong:
/// <c>If-Match</c> requires strong comparison (RFC 9110, 13.1.1), and the envelope's timestamp is response metadata.
/// </summary>
public static class EntityTags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>True when an <c>If-None-Match</c> header names this version (or is <c>*</c>): the client's copy is current.</summary>
    public static bool IsCurrent(StringValues ifNoneMatch, long version) =>
        EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Value == For(version));

    /// <summary>
    /// The version an <c>If-Match</c> header asks for: null when there is no header; false when it is not a single
    /// strong tag of ours (the request is then refused rather than guessed at).
    /// </summary>
    public static bool TryReadIfMatch(StringValues ifMatch, out long? version)
    {
        version = null;
        if (StringValues.IsNullOrEmpty(ifMatch))
        {
            return true;
        }

        if (EntityTagHeaderValue.TryParseList(ifMatch, out var tags)
            && tags is [{ IsWeak: false } tag]
            && long.TryParse(tag.Tag.AsSpan().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
