using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Company.Starter.Data.Paging;

/// <summary>
/// The position after the last row of a page, sent to clients as an opaque base64url token. Keyset (seek)
/// pagination instead of OFFSET: pages stay stable while rows are inserted, and page 1,000 costs what page 1 does.
/// </summary>
public sealed record KeysetCursor<TKey>(TKey Key, long Id)
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, SerializerOptions));

    public static KeysetCursor<TKey> Decode(string token)
    {
        try
        {
            var cursor = JsonSerializer.Deserialize<KeysetCursor<TKey>>(Base64Url.DecodeFromChars(token), SerializerOptions);
            return cursor is { Key: not null } ? cursor : throw new InvalidCursorException("The cursor is empty.");
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new InvalidCursorException("The cursor is not one this service issued. Start again without a cursor.", ex);
        }
    }
}
