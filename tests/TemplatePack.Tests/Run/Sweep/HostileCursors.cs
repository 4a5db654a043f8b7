using System.Buffers.Text;
using System.Text;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Paging cursors forged in the app's own format (Data/Paging/KeysetCursor: base64url of the JSON
/// <c>{"Key":&lt;sort key&gt;,"Id":&lt;row id&gt;}</c>), so they pass the decoding step and carry a hostile key into the
/// query. Structurally wrong ones (wrong types, members, not base64url, not JSON) and keys no stored row can have (NUL,
/// lone surrogates) must be refused; a well-formed position that merely matches no row (a negative id, a long key) may
/// be served as a page.
/// </summary>
public static class HostileCursors
{
    public static IEnumerable<SweepValue> All(SweepContext context)
    {
        SweepValue Forged(string label, string json, Expectation expect) => new(label, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)), expect);

        yield return Forged("well-formed", $$"""{"Key":"Sweep seed","Id":{{context.SeededId}}}""", Expectation.MayAccept);
        yield return Forged("key with NUL", """{"Key":"a\u0000b","Id":1}""", Expectation.MustReject);
        yield return Forged("key NUL only", """{"Key":"\u0000","Id":1}""", Expectation.MustReject);
        yield return Forged("key with a lone surrogate", """{"Key":"\ud800","Id":1}""", Expectation.MustReject);
        yield return Forged("key 2,000 characters", $$"""{"Key":"{{new string('z', 2_000)}}","Id":1}""", Expectation.MayAccept);
        yield return Forged("key with RLO", """{"Key":"\u202e","Id":1}""", Expectation.MayAccept);
        yield return Forged("key with ESC", """{"Key":"\u001b[0m","Id":1}""", Expectation.MayAccept);
        yield return Forged("empty key", """{"Key":"","Id":1}""", Expectation.MayAccept);
        yield return Forged("negative id", """{"Key":"a","Id":-1}""", Expectation.MayAccept);
        yield return Forged("id long.MaxValue", """{"Key":"a","Id":9223372036854775807}""", Expectation.MayAccept);
        yield return Forged("id int64 overflow", """{"Key":"a","Id":9223372036854775808}""", Expectation.MustReject);
        yield return Forged("id fraction", """{"Key":"a","Id":1.5}""", Expectation.MustReject);
        yield return Forged("id as a string", """{"Key":"a","Id":"1"}""", Expectation.MustReject);
        yield return Forged("key a number", """{"Key":1,"Id":1}""", Expectation.MustReject);
        yield return Forged("key null", """{"Key":null,"Id":1}""", Expectation.MustReject);
        yield return Forged("key an object", """{"Key":{"a":1},"Id":1}""", Expectation.MustReject);
        yield return Forged("key an array", """{"Key":["a"],"Id":1}""", Expectation.MustReject);
        yield return Forged("key missing", """{"Id":1}""", Expectation.MustReject);
        yield return Forged("extra member", """{"Key":"a","Id":1,"Admin":true}""", Expectation.MustReject);
        yield return Forged("camelCase members", """{"key":"a","id":1}""", Expectation.MustReject);
        yield return Forged("key 100 levels deep", "{\"Key\":" + new string('[', 100) + new string(']', 100) + ",\"Id\":1}", Expectation.MustReject);
        yield return Forged("JSON array", """["a",1]""", Expectation.MustReject);
        yield return Forged("JSON null", "null", Expectation.MustReject);
        yield return Forged("truncated JSON", """{"Key":"a","Id":""", Expectation.MustReject);
        yield return new SweepValue("not base64url", "%%%", Expectation.MustReject);
        yield return new SweepValue("padding only", "====", Expectation.MustReject);
        yield return new SweepValue("NUL", "\0", Expectation.MustReject);
        yield return new SweepValue("random bytes", Base64Url.EncodeToString(Bytes(context, 24)), Expectation.MustReject);
        yield return new SweepValue("6,000 characters", new string('A', 6_000), Expectation.MustReject);
    }

    private static byte[] Bytes(SweepContext context, int length)
    {
        var bytes = new byte[length];
        context.Random.NextBytes(bytes);
        bytes[0] = (byte)'!'; // never the start of a JSON value, so never accidentally a valid cursor
        return bytes;
    }
}
