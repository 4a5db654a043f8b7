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

    private const string NotIssued = "The cursor is not one this service issued. Start again without a cursor.";

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, SerializerOptions));

    public static KeysetCursor<TKey> Decode(string token)
    {
        try
        {
            var cursor = JsonSerializer.Deserialize<KeysetCursor<TKey>>(Base64Url.DecodeFromChars(token), SerializerOptions);
            return cursor switch
            {
                null or { Key: null } => throw new InvalidCursorException("The cursor is empty."),
                // A key this service issued is a stored value. A NUL (which PostgreSQL cannot take in text) or a lone
                // surrogate (which no UTF-8 encoder can send) would otherwise fail in the database driver as a 500.
                { Key: string text } when !StoredText.IsStorable(text) => throw new InvalidCursorException(NotIssued),
                _ => cursor,
            };
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new InvalidCursorException(NotIssued, ex);
        }
    }
}
