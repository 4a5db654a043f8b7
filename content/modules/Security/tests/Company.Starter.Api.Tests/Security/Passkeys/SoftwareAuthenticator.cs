using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>
/// A WebAuthn authenticator and the browser's half of a ceremony, in C#: it answers the server's creation and request
/// options the way <c>navigator.credentials.create()/get()</c> plus <c>toJSON()</c> do (ES256 keys, "none"
/// attestation, discoverable credentials, user present and verified). The API tests use it where a real browser is
/// not needed; <see cref="PasskeyBrowserTests"/> use Chromium's own authenticator. Every field it sends is computed
/// from the options, so a test can change one thing (the origin, the key, the challenge) and nothing else.
/// </summary>
internal sealed class SoftwareAuthenticator(string origin)
{
    /// <summary>The AAGUID of this make of authenticator (any 16 bytes; "none" attestation does not vouch for it).</summary>
    private static readonly byte[] Aaguid = Guid.Parse("6f0c1a4b-7a3e-4c7e-9d51-2b1f0c9e4a11").ToByteArray();

    private readonly List<StoredCredential> _credentials = [];

    /// <summary>The origin the "browser" puts in clientDataJSON (and, in <see cref="PasskeyApiClient"/>, in the Origin header).</summary>
    public string Origin { get; } = origin;

    /// <summary>
    /// Whether the signature counter goes up with each assertion. Synced passkeys (iCloud Keychain, Google Password
    /// Manager) always send 0, so a server cannot rely on the counter to spot a replay.
    /// </summary>
    public bool CountsSignatures { get; init; } = true;

    public IReadOnlyList<StoredCredential> Credentials => _credentials;

    /// <summary><c>navigator.credentials.create()</c>: makes a key pair for the options' RP and user, and answers with the attestation.</summary>
    public string Create(string creationOptionsJson, string? clientOrigin = null)
    {
        var options = JsonNode.Parse(creationOptionsJson)!.AsObject();
        var rpId = options["rp"]!["id"]!.GetValue<string>();
        var userHandle = options["user"]!["id"]!.GetValue<string>();
        Assert.Contains(options["pubKeyCredParams"]!.AsArray(), parameter => parameter!["alg"]!.GetValue<int>() == -7);

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentialId = RandomNumberGenerator.GetBytes(32);
        var credential = new StoredCredential(credentialId, rpId, userHandle, key);
        _credentials.Add(credential);

        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>(), clientOrigin ?? Origin);
        var authenticatorData = AuthenticatorData(rpId, Flags.UserPresent | Flags.UserVerified | Flags.AttestedCredentialData, 0, AttestedCredentialData(credentialId, key));
        var attestationObject = new Cbor()
            .Map(3)
            .Text("fmt").Text("none")
            .Text("attStmt").Map(0)
            .Text("authData").Bytes(authenticatorData)
            .ToArray();

        return new JsonObject
        {
            ["id"] = Base64Url(credentialId),
            ["rawId"] = Base64Url(credentialId),
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url(clientData),
                ["attestationObject"] = Base64Url(attestationObject),
                ["transports"] = new JsonArray("internal"),
            },
            ["clientExtensionResults"] = new JsonObject(),
        }.ToJsonString();
    }

    /// <summary>
    /// <c>navigator.credentials.get()</c>: picks a credential for the options' RP (one of <c>allowCredentials</c>
    /// when the server names some; otherwise any discoverable one, as a username-less sign-in does) and signs.
    /// </summary>
    public string Get(string requestOptionsJson, StoredCredential? credential = null, string? clientOrigin = null, ECDsa? signingKey = null)
    {
        var options = JsonNode.Parse(requestOptionsJson)!.AsObject();
        var rpId = options["rpId"]!.GetValue<string>();
        var allowed = options["allowCredentials"]?.AsArray().Select(item => item!["id"]!.GetValue<string>()).ToHashSet() ?? [];
        credential ??= _credentials.LastOrDefault(c => c.RpId == rpId && (allowed.Count == 0 || allowed.Contains(Base64Url(c.Id))))
            ?? throw new InvalidOperationException($"No credential for '{rpId}'.");

        if (CountsSignatures)
        {
            credential.SignCount++;
        }

        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>(), clientOrigin ?? Origin);
        var authenticatorData = AuthenticatorData(credential.RpId, Flags.UserPresent | Flags.UserVerified, credential.SignCount, []);
        var signature = (signingKey ?? credential.Key).SignData(
            [.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        return new JsonObject
        {
            ["id"] = Base64Url(credential.Id),
            ["rawId"] = Base64Url(credential.Id),
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url(clientData),
                ["authenticatorData"] = Base64Url(authenticatorData),
                ["signature"] = Base64Url(signature),
                ["userHandle"] = credential.UserHandle,
            },
            ["clientExtensionResults"] = new JsonObject(),
        }.ToJsonString();
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] ClientData(string type, string challenge, string origin) => JsonSerializer.SerializeToUtf8Bytes(
        new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false });

    /// <summary>rpIdHash (32) | flags (1) | signCount (4, big-endian) | attested credential data.</summary>
    private static byte[] AuthenticatorData(string rpId, Flags flags, uint signCount, byte[] attestedCredentialData)
    {
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, signCount);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), (byte)flags, .. counter, .. attestedCredentialData];
    }

    /// <summary>aaguid (16) | credentialId length (2) | credentialId | the public key as a COSE_Key (EC2, P-256, ES256).</summary>
    private static byte[] AttestedCredentialData(byte[] credentialId, ECDsa key)
    {
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        var coseKey = new Cbor()
            .Map(5)
            .Int(1).Int(2)      // kty: EC2
            .Int(3).Int(-7)     // alg: ES256
            .Int(-1).Int(1)     // crv: P-256
            .Int(-2).Bytes(point.X!)
            .Int(-3).Bytes(point.Y!)
            .ToArray();
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)credentialId.Length);
        return [.. Aaguid, .. length, .. credentialId, .. coseKey];
    }

    [Flags]
    private enum Flags : byte
    {
        UserPresent = 0x01,
        UserVerified = 0x04,
        AttestedCredentialData = 0x40,
    }

    /// <summary>One passkey this authenticator holds.</summary>
    public sealed class StoredCredential(byte[] id, string rpId, string userHandle, ECDsa key)
    {
        public byte[] Id { get; } = id;

        public string IdBase64Url => Base64Url(Id);

        public string RpId { get; } = rpId;

        /// <summary>The user handle (base64url), as the server put it in the creation options.</summary>
        public string UserHandle { get; } = userHandle;

        public ECDsa Key { get; } = key;

        public uint SignCount { get; set; }
    }

    /// <summary>The few CBOR (RFC 8949) items an attestation object and a COSE key need.</summary>
    private sealed class Cbor
    {
        private readonly List<byte> _bytes = [];

        public Cbor Map(int entries) => Head(5, (ulong)entries);

        public Cbor Text(string value)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            Head(3, (ulong)utf8.Length);
            _bytes.AddRange(utf8);
            return this;
        }

        public Cbor Bytes(byte[] value)
        {
            Head(2, (ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public Cbor Int(long value) => value >= 0 ? Head(0, (ulong)value) : Head(1, (ulong)(-1 - value));

        public byte[] ToArray() => [.. _bytes];

        private Cbor Head(byte major, ulong value)
        {
            var type = (byte)(major << 5);
            switch (value)
            {
                case < 24:
                    _bytes.Add((byte)(type | (byte)value));
                    break;
                case <= byte.MaxValue:
                    _bytes.AddRange([(byte)(type | 24), (byte)value]);
                    break;
                case <= ushort.MaxValue:
                    _bytes.AddRange([(byte)(type | 25), (byte)(value >> 8), (byte)value]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(value), "Longer items are not needed here.");
            }

            return this;
        }
    }
}
