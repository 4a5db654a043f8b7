using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Builds JWTs byte by byte (base64url header, payload and signature), so that tests can make the tokens an
/// attacker makes: ones no token library agrees to produce (<c>alg: none</c>, HMAC keyed with a public key).
/// </summary>
internal static class HandMadeJwt
{
    public static string Segment(object json) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(json));

    /// <summary>Header and payload encoded and joined: the bytes a JWS signature covers.</summary>
    public static string SigningInput(object header, object payload) => $"{Segment(header)}.{Segment(payload)}";

    public static string Join(string signingInput, byte[] signature) => $"{signingInput}.{Base64Url.EncodeToString(signature)}";

    /// <summary>ES256: ECDSA P-256 over SHA-256, the signature as r‖s (IEEE P1363), as RFC 7518 §3.4 requires.</summary>
    public static string SignEs256(object header, object payload, ECDsa key)
    {
        var input = SigningInput(header, payload);
        return Join(input, key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    public static string SignHs256(object header, object payload, byte[] secret)
    {
        var input = SigningInput(header, payload);
        return Join(input, HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>The header and payload of a token, decoded.</summary>
    public static (JsonElement Header, JsonElement Payload) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[0])),
            JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[1])));
    }

    public static ECDsa ImportKey(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key;
    }
}
