using System.Globalization;
using System.Text;

namespace TemplatePack.Tests.Run;

/// <summary>Which error contract an endpoint answers with (see <see cref="ErrorContract"/>).</summary>
public enum Surface
{
    Rest,
    GraphQL,
    GrpcTranscoding,
}

/// <summary>What the app may do with a request of the sweep (see <see cref="ErrorContract"/>).</summary>
public enum Expectation
{
    /// <summary>The input is malformed (NUL, a wrong type, a number out of range, ...): only a client error is right.</summary>
    MustReject,

    /// <summary>The input is odd but legal (a long-but-allowed name, an extreme but valid date): a 2xx or a client error.</summary>
    MayAccept,
}

/// <summary>One malformed request of the sweep: everything needed to send it again by hand.</summary>
public sealed record BadRequest(
    string Category,
    string Method,
    string Path,
    byte[]? Body,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    int? RequiredStatus = null,
    Expectation Expect = Expectation.MustReject)
{
    public Surface Surface =>
        Path.StartsWith("/graphql", StringComparison.Ordinal) ? Surface.GraphQL
        : Path.StartsWith("/grpc/", StringComparison.Ordinal) ? Surface.GrpcTranscoding
        : Surface.Rest;

    /// <summary>The protocol a count is reported under: the security module's endpoints apart from the rest of REST.</summary>
    public string Protocol =>
        Surface switch
        {
            Surface.GraphQL => "graphql",
            Surface.GrpcTranscoding => "grpc",
            _ when Path.StartsWith("/api/auth", StringComparison.Ordinal) || Path.StartsWith("/account/", StringComparison.Ordinal) => "auth",
            _ => "rest",
        };

    public string BodyExcerpt => Body is null ? "(no body)" : Excerpt(Body, 160);

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body is { Length: > BadRequestCorpus.HugeBodyBytes / 2 })
        {
            // As a careful client sends a large body: the server can refuse it (413) before it is on the wire. Without
            // this, a 413 sent while the body is still uploading races the upload and can end in a reset connection.
            message.Headers.ExpectContinue = true;
        }

        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                // Without validation: some types in the sweep are deliberately odd, and must reach the server as written.
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    public override string ToString() =>
        $"[{Category}{(Expect == Expectation.MayAccept ? ", may accept" : "")}] {Method} {Path}{string.Concat(Headers.Select(h => $" {h.Key}: {Cut(h.Value, 60)}"))}" +
        $"{(ContentType is null ? "" : $" ({ContentType})")} body[{Body?.Length ?? 0}]: {BodyExcerpt}";

    /// <summary>The first bytes as text, with control characters and invalid UTF-8 made visible.</summary>
    public static string Excerpt(byte[] bytes, int max)
    {
        var text = new UTF8Encoding(false, false).GetString(bytes, 0, Math.Min(bytes.Length, max));
        var visible = string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return bytes.Length > max ? visible + $"…(+{bytes.Length - max} bytes)" : visible;
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

/// <summary>
/// The deterministic corpus of malformed requests: the same seed gives the same requests in the same order, so a
/// failure names a request that can be replayed. Categories rotate, so every category gets its share of any count.
/// Nothing here can change the seeded product: writes go to ids that do not exist, or carry a body or header that
/// cannot pass (unparsable JSON, an If-Match that is no strong numeric tag, no version at all).
/// </summary>
public sealed class BadRequestCorpus
{
    /// <summary>More than the 1 MB body limit of the generated API (Api:MaxRequestBodyBytes).</summary>
    public const int HugeBodyBytes = 2 * 1024 * 1024;

    private const string Json = "application/json";

    // Ids that are well-formed but cannot exist: far above anything the sweep creates.
    private const long MissingIdBase = 900_000_000_000;

    private static readonly string[] OddStrings =
    [
        "\\ud800",                      // a lone high surrogate, escaped: valid JSON text, invalid UTF-16 content
        "a\\udc00b",                    // a lone low surrogate
        "\\udbff\\udbff",               // two high surrogates
        "\u202Eevil\u202C",             // right-to-left override
        "\u200B\u200C\u200D\uFEFF",     // zero-width characters only
        "abc\\u0000def",                // NUL, escaped
        "\\u0000",
        "\u05E9\u05DC\u05D5\u05DD",     // Hebrew (RTL)
        "e\u0301\u0301\u0301\u0301",    // stacked combining marks
        "\U0001F600\U0001F4A9",         // astral plane
        " ",
        "",
    ];

    /// <summary>The <see cref="OddStrings"/> that are legal text: right-to-left script, combining marks, astral characters.</summary>
    private static readonly HashSet<string> LegalOddStrings = ["\u05E9\u05DC\u05D5\u05DD", "e\u0301\u0301\u0301\u0301", "\U0001F600\U0001F4A9"];

    private static readonly string[] BadIds =
    [
        "abc", "-1", "0", "99999999999999999999", "1.5", "1e3", "%20", "%00", "0x10", "1%2F2", "+1", " 1", "NaN",
        "9223372036854775808", "-9223372036854775809", "%F0%9F%98%80", "..%2F..", "1;2", "true", "null",
    ];

    /// <summary>
    /// Ids that are no valid id for a write. Not " 1" or "+1" (in <see cref="BadIds"/> for reads): the route's long
    /// constraint parses them as 1, which may be the seeded product; a DELETE of that would be a valid request.
    /// </summary>
    private static readonly string[] BadWriteIds = [.. BadIds.Where(id => id is not (" 1" or "+1"))];

    private static readonly string[] BadIfMatch =
    [
        "garbage", "W/\"1\"", "\"abc\"", "1", "\"-1\"", "\"1\", \"2\"", "\"99999999999999999999\"", "\"\"", "*, \"1\"",
        "\"1", "\u00e9\u00e8", "\"0x1\"", "\"1.0\"", "\" 1\"",
    ];

    private static readonly string[] WrongContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data; boundary=XyZ", "application/x-www-form-urlencoded",
        "application/octet-stream", "application/json; charset=utf-16", "application/jsonx", "image/png", ";;;", "json",
    ];

    private readonly Random _random;
    private readonly long _seededId;
    private readonly bool _graphQL;
    private readonly bool _grpc;
    private readonly List<(string Name, Func<BadRequest> Next)> _categories;

    private readonly bool _passkeys;

    /// <param name="auth">The app has the security module: its endpoints get garbage too.</param>
    /// <param name="passkeys">The app has the passkey endpoints.</param>
    public BadRequestCorpus(int seed, long seededId, bool graphQL, bool grpc, bool auth = false, bool passkeys = false)
    {
        _passkeys = passkeys;
        _random = new Random(seed);
        _seededId = seededId;
        _graphQL = graphQL;
        _grpc = grpc;
        _categories =
        [
            ("broken-json", BrokenJson),
            ("wrong-types", WrongTypes),
            ("missing-extra-fields", MissingOrExtraFields),
            ("huge-body", HugeBody),
            ("odd-unicode", OddUnicode),
            ("invalid-utf8", InvalidUtf8),
            ("bad-cursor", BadCursor),
            ("bad-id", BadId),
            ("bad-query", BadQuery),
            ("wrong-content-type", WrongContentType),
            ("wrong-method-or-route", WrongMethodOrRoute),
            ("if-match-garbage", IfMatchGarbage),
            ("odd-accept", OddAccept),
        ];
        if (graphQL)
        {
            _categories.Add(("graphql", GraphQLGarbage));
        }

        if (grpc)
        {
            _categories.Add(("grpc-transcoding", GrpcGarbage));
        }

        if (auth)
        {
            _categories.Add(("auth", AuthGarbage));
        }
    }

    public IReadOnlyList<string> Categories => _categories.Select(c => c.Name).ToList();

    /// <summary><paramref name="count"/> requests, categories in rotation.</summary>
    public List<BadRequest> Generate(int count)
    {
        var requests = new List<BadRequest>(count);
        for (var i = 0; i < count; i++)
        {
            requests.Add(_categories[i % _categories.Count].Next());
        }

        return requests;
    }

    // ---- categories -------------------------------------------------------------------------------------------

    private BadRequest BrokenJson()
    {
        var valid = ValidProductJson();
        var body = Pick(
            () => valid[..Next(1, valid.Length - 1)],                               // truncated
            () => valid + Pick("garbage", "}", "]", ",", "{}", "\u0000", "//x"),    // trailing garbage
            () => """{"sku":"A1","name":"n","price":NaN}""",
            () => """{"sku":"A1","name":"n","price":Infinity}""",
            () => """{"sku":"A1","name":"n","price":-Infinity}""",
            () => new string('[', 10_000) + new string(']', 10_000),              // 10k levels deep
            () => new string('{', 5_000) + new string('}', 5_000),                // unbalanced objects deep
            () => """{"sku":"A1","sku":"B2","name":"n","price":1}""",              // duplicate keys
            () => """{"price":1,"price":"x","name":"n","sku":"A1"}""",
            () => """{'sku':'A1','name':'n','price':1}""",                         // single quotes
            () => """{sku:"A1",name:"n",price:1}""",                               // unquoted keys
            () => """{"sku":"A1","name":"n","price":1,}""",                        // trailing comma
            () => """{"sku":"A1" "name":"n"}""",
            () => "",
            () => " ",
            () => "null",
            () => "\"just a string\"",
            () => "{\"sku\":\"A1\",\"name\":\"unterminated}",
            () => "{\"sku\":\"\\x41\"}",                                           // invalid escape
            () => "\uFEFF\uFEFF{}",
            () => "{/* comment */\"sku\":\"A1\"}");
        return JsonWrite(body);
    }

    private BadRequest WrongTypes()
    {
        var body = Pick(
            () => """{"sku":"A1","name":"n","price":"twelve"}""",
            () => """{"sku":"A1","name":"n","price":1e400}""",
            () => """{"sku":"A1","name":"n","price":-1e400}""",
            () => """{"sku":"A1","name":"n","price":-5}""",
            () => """{"sku":"A1","name":"n","price":1.0000000000000000000000000000000000000001}""",
            () => """{"sku":"A1","name":"n","price":1234567890123456789012345678901234567890}""",
            () => """{"sku":123,"name":"n","price":1}""",
            () => """{"sku":["A1"],"name":"n","price":1}""",
            () => """{"sku":{"a":1},"name":"n","price":1}""",
            () => """{"sku":"A1","name":true,"price":1}""",
            () => """{"sku":"A1","name":"n","price":[1]}""",
            () => """{"sku":"A1","name":"n","price":{"amount":1}}""",
            () => """{"sku":null,"name":null,"price":null}""",
            () => """[{"sku":"A1","name":"n","price":1}]""",
            () => """[]""",
            () => """123""",
            () => """true""",
            () => $$"""{"productId":"{{Pick("x", "1.5", "-1", "99999999999999999999")}}","quantity":1}""",
            () => """{"productId":1e400,"quantity":1}""",
            () => """{"productId":1,"quantity":1e10}""",
            () => """{"productId":1,"quantity":-3}""",
            () => """{"productId":1,"quantity":2.5}""",
            () => """{"productId":[1],"quantity":{"n":1}}""",
            () => """{"productId":1,"quantity":1,"occurredAt":"yesterday"}""",
            () => """{"productId":1,"quantity":1,"occurredAt":12345}""",
            () => """{"productId":1,"quantity":1,"occurredAt":"9999-99-99T99:99:99Z"}""",
            () => """{"sku":"A1","name":"n","price":1,"version":"v1"}""",
            () => """{"sku":"A1","name":"n","price":1,"version":1e400}""",
            () => """{"sku":"A1","name":"n","price":1,"version":-1}""");
        return Pick(
            // A create has no `version`: one of the wrong type is an unknown property there, ignored, and the product valid.
            () => Write("wrong-types", "POST", "/api/products", body) with
            {
                Expect = body.Contains("\"version\"", StringComparison.Ordinal) ? Expectation.MayAccept : Expectation.MustReject,
            },
            () => Write("wrong-types", "POST", "/api/sales", body),
            () => Write("wrong-types", "PUT", $"/api/products/{MissingId()}", body));
    }

    private BadRequest MissingOrExtraFields()
    {
        // Extra properties are ignored and names match case-insensitively (ASP.NET Core's web defaults): a body that is
        // complete apart from those is valid for its endpoint, and may be accepted there (elsewhere it is refused).
        var (body, validFor) = Pick(
            () => ("{}", (string?)null),
            () => ("""{"sku":"A1"}""", null),
            () => ("""{"name":"n","price":1}""", null),
            () => ("""{"sku":"A1","price":1}""", null),
            () => ($$"""{"sku":"X{{Next(0, 1_000_000)}}","name":"n","price":1,"id":1,"version":7,"createdAt":"2020-01-01T00:00:00Z","admin":true}""", "/api/products"),
            () => ($$"""{"Sku":"C{{Next(0, 1_000_000)}}","NAME":"n","Price":1}""", "/api/products"),
            () => ("""{"productId":1}""", null),
            () => ("""{"quantity":1}""", null),
            () => ($$"""{"productId":{{_seededId}},"quantity":1,"unitPrice":-100,"extra":[1,2,3]}""", "/api/sales"),
            () => ("""{"data":{"sku":"A1","name":"n","price":1}}""", null));
        var (method, path) = Pick(() => ("POST", "/api/products"), () => ("POST", "/api/sales"), () => ("PUT", $"/api/products/{MissingId()}"));
        return new BadRequest("missing-extra-fields", method, path, Bytes(body), Json, [],
            Expect: method == "POST" && path == validFor ? Expectation.MayAccept : Expectation.MustReject);
    }

    private BadRequest HugeBody()
    {
        // Valid JSON framing around a 2 MB string: only the size is wrong, and the size must be what is reported.
        var bytes = Encoding.UTF8.GetBytes("{\"sku\":\"A1\",\"name\":\"" + new string('x', HugeBodyBytes) + "\",\"price\":1}");
        var (method, path) = PickTarget();
        return new BadRequest("huge-body", method, path, bytes, Json, [], RequiredStatus: 413);
    }

    private BadRequest OddUnicode()
    {
        string Odd() => Pick(OddStrings);
        var body = Pick(
            () => $$"""{"sku":"{{Odd()}}","name":"n","price":1}""",
            () => OddName(Odd()),
            () => $$"""{"sku":"{{new string('S', 10_000)}}","name":"n","price":1}""",
            () => $$"""{"sku":"A{{Next(0, 1_000_000)}}","name":"{{new string('\u05D0', 10_000)}}","price":1}""",
            () => $$"""{"sku":"A1","name":"n","price":"{{Odd()}}"}""",
            () => $$"""{"{{Odd()}}":"A1","name":"n","price":1}""",
            () => $$"""{"productId":1,"quantity":1,"occurredAt":"{{Odd()}}"}""",
            () => "{\"sku\":\"A1\u0000\",\"name\":\"raw NUL\",\"price\":1}");  // a raw NUL: invalid inside a JSON string
        if (body.StartsWith(LegalNameMarker, StringComparison.Ordinal))
        {
            // A legal name (Hebrew, combining marks, astral characters) on a new SKU: a valid product, which may be created.
            return new BadRequest("odd-unicode", "POST", "/api/products", Bytes(body[LegalNameMarker.Length..]), Json, [], Expect: Expectation.MayAccept);
        }

        return Pick(
            () => Write("odd-unicode", "POST", "/api/products", body),
            () => Write("odd-unicode", "POST", "/api/sales", body),
            // The seeded product with a body lacking `version` and If-Match: refused (428 or 400), never applied.
            () => Write("odd-unicode", "PUT", $"/api/products/{_seededId}", body),
            // Already percent-encoded: a surrogate's UTF-8 form (invalid), RTL override, zero-width space, NUL, non-UTF-8 bytes.
            () => new BadRequest("odd-unicode", "GET", $"/api/products?cursor={Pick("%ED%A0%80", "%E2%80%AE", "%E2%80%8B", "%00", "%FF%FE", "%C0%AF")}", null, null, []));
    }

    /// <summary>Marks a body whose only oddity is a legal name (see <see cref="OddUnicode"/>).</summary>
    private const string LegalNameMarker = "legal:";

    /// <summary>Names from <see cref="LegalOddStrings"/> are legal; the rest of <see cref="OddStrings"/> must be refused.</summary>
    private string OddName(string odd) =>
        (LegalOddStrings.Contains(odd) ? LegalNameMarker : "") + $$"""{"sku":"A{{Next(0, 1_000_000)}}","name":"{{odd}}","price":1}""";

    private BadRequest InvalidUtf8()
    {
        byte[][] invalid = [[0xC3, 0x28], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0x80], [0xE2, 0x82]];
        var bad = Pick(invalid);
        var prefix = Encoding.UTF8.GetBytes("{\"sku\":\"A");
        var suffix = Encoding.UTF8.GetBytes("\",\"name\":\"n\",\"price\":1}");
        var inIgnoredProperty = _random.Next(3) == 0;
        byte[] body = inIgnoredProperty
            ? [.. Encoding.UTF8.GetBytes("{\"productId\":1,\"quantity\":1,\"x\":\""), .. bad, (byte)'"', (byte)'}']
            : Pick(() => [.. prefix, .. bad, .. suffix], () => bad);
        var (method, path) = PickTarget();
        // System.Text.Json skips a property the type does not have without decoding it: invalid bytes there never
        // reach the app, so a sale body that is otherwise valid may be recorded.
        return new BadRequest("invalid-utf8", method, path, body, Json, [],
            Expect: inIgnoredProperty && path == "/api/sales" ? Expectation.MayAccept : Expectation.MustReject);
    }

    private BadRequest BadCursor()
    {
        var cursor = Pick(
            () => Convert.ToBase64String(RandomBytes(Next(1, 64))),
            () => Convert.ToBase64String(RandomBytes(Next(1, 64))).Replace('+', '-').Replace('/', '_').TrimEnd('='),
            () => Base64Json(Pick("{}", "[]", "null", "1", "\"x\"", """{"name":1,"id":"x"}""", """{"n":"a","i":-1}""",
                """{"name":"a","id":99999999999999999999}""", """[["a",1]]""", """{"name":null,"id":null}""", "{\"a\":" + new string('[', 1000))),
            () => new string('A', 10_000),
            () => Convert.ToBase64String(RandomBytes(7_500)),
            () => "%%%",
            () => "====",
            () => "\u0000",
            () => "a b",
            () => "\u200B\u202E");
        var limit = Pick("", $"&limit={Next(1, 100)}");
        return new BadRequest("bad-cursor", "GET", $"/api/products?cursor={Uri.EscapeDataString(cursor)}{limit}", null, null, []);
    }

    private BadRequest BadId()
    {
        var id = Pick(BadIds);
        var writeId = Pick(BadWriteIds);
        return Pick(
            // " 1" and "+1" parse as 1 (the route's long constraint), which may be the seeded product: a valid read.
            () => new BadRequest("bad-id", "GET", $"/api/products/{id}", null, null, [], Expect: id is " 1" or "+1" ? Expectation.MayAccept : Expectation.MustReject),
            () => new BadRequest("bad-id", "DELETE", $"/api/products/{writeId}", null, null, []),
            () => new BadRequest("bad-id", "PUT", $"/api/products/{writeId}", Bytes(ValidProductJson()), Json, []),
            () => new BadRequest("bad-id", "GET", $"/api/products/{MissingId()}", null, null, []),
            () => new BadRequest("bad-id", "DELETE", $"/api/products/{MissingId()}", null, null, []),
            () => new BadRequest("bad-id", "POST", "/api/sales", Bytes($$"""{"productId":{{Pick("0", "-1", MissingId().ToString(CultureInfo.InvariantCulture), "99999999999999999999")}},"quantity":1}"""), Json, []));
    }

    private BadRequest BadQuery()
    {
        var path = Pick(
            () => $"/api/products?limit={Pick("abc", "0", "-5", "101", "1e9", "99999999999", "1.5", "", "%00", "NaN", "2147483648")}",
            () => "/api/products?limit=1&limit=2",
            () => $"/api/products?limit={new string('9', 10_000)}",
            () => $"/api/sales/summary?bucket={Pick("week", "1", "", "HOUR ", "0", "-1", "minute,hour", "%00", "Minute\u200B")}",
            () => $"/api/sales/summary?from={Pick("yesterday", "0", "-1", "9999-99-99", "2020-13-01", "%00", "1e400")}",
            () => $"/api/sales/summary?to={Pick("never", "2020-02-30T00:00:00Z", "+", "99999999999999999999")}",
            () => "/api/sales/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",   // from after to
            () => "/api/sales/summary?bucket=minute&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", // too many buckets
            () => "/api/sales/summary?bucket=day&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
            () => "/api/sales/summary?from=2026-01-01T00:00:00%2B99:00",
            () => "/api/sales/summary?bucket=hour&bucket=day",
            () => $"/api/products?{new string('x', 5_000)}=1",
            () => $"/api/products?cursor=&limit=&{Uri.EscapeDataString("\u202E")}=1");
        return new BadRequest("bad-query", "GET", path, null, null, [], Expect: MayAcceptQuery(path) ? Expectation.MayAccept : Expectation.MustReject);
    }

    /// <summary>
    /// Queries that are odd but valid: an unknown parameter (ignored), an empty value (the default), a repeated one
    /// (either may win), a choice with spaces (trimmed when parsed).
    /// </summary>
    private static bool MayAcceptQuery(string path) =>
        path.Contains("xxxxxxxxxx=1", StringComparison.Ordinal) || path.Contains("cursor=&limit=&", StringComparison.Ordinal)
        || path.EndsWith("limit=", StringComparison.Ordinal) || path.EndsWith("bucket=", StringComparison.Ordinal) || path.EndsWith("bucket=HOUR ", StringComparison.Ordinal)
        || path.EndsWith("limit=1&limit=2", StringComparison.Ordinal) || path.EndsWith("bucket=hour&bucket=day", StringComparison.Ordinal);

    private BadRequest WrongContentType()
    {
        var type = Pick(WrongContentTypes);
        var body = Pick(
            () => ValidProductJson(),
            () => "<product><sku>A1</sku></product>",
            () => "--XyZ\r\nContent-Disposition: form-data; name=\"sku\"\r\n\r\nA1\r\n--XyZ--\r\n",
            () => "sku=A1&name=n&price=1");
        var (method, path) = PickTarget();
        return Pick(
            () => new BadRequest("wrong-content-type", method, path, Bytes(body), type, []),
            () => new BadRequest("wrong-content-type", method, path, Bytes(body), null, []));   // no Content-Type at all
    }

    private BadRequest WrongMethodOrRoute()
    {
        var request = Pick(
            () => ("PATCH", $"/api/products/{_seededId}"),
            () => ("PATCH", "/api/products"),
            () => ("PUT", "/api/products"),
            () => ("DELETE", "/api/products"),
            () => ("POST", $"/api/products/{_seededId}"),
            () => ("GET", "/api/sales"),
            () => ("DELETE", "/api/sales"),
            () => ("POST", "/api/sales/summary"),
            () => ("TRACE", "/api/products"),
            () => ("PROPFIND", "/api/products"),
            () => ("GET", "/api/nope"),
            () => ("GET", $"/api/products/{_seededId}/extra"),
            () => ("GET", "/api/products/"),
            () => ("GET", "/API/PRODUCTS/x"),
            () => ("GET", $"/{new string('a', 2_000)}"),
            () => ("POST", "/"),
            () => ("GET", "/api/products/%2e%2e/%2e%2e/etc/passwd"));
        var body = request.Item1 is "PATCH" or "PUT" or "POST" ? Bytes(ValidProductJson()) : null;
        // A trailing slash routes to the list: a valid read.
        return new BadRequest("wrong-method-or-route", request.Item1, request.Item2, body, body is null ? null : Json, [],
            Expect: request.Item2 == "/api/products/" ? Expectation.MayAccept : Expectation.MustReject);
    }

    private BadRequest IfMatchGarbage()
    {
        // The seeded product's own fields: even a wrongly accepted header would leave name, sku and price as they were.
        var body = Bytes("""{"sku":"SWEEP-SEED","name":"Sweep seed","price":12.34}""");
        var id = Pick(_seededId.ToString(CultureInfo.InvariantCulture), MissingId().ToString(CultureInfo.InvariantCulture));
        return new BadRequest("if-match-garbage", "PUT", $"/api/products/{id}", body, Json, [new("If-Match", Pick(BadIfMatch))]);
    }

    /// <summary>
    /// Client errors for clients that do not ask for JSON (a browser sends Accept: text/html): the error contract
    /// still holds, whatever the Accept header says (RFC 9110 lets an error ignore it).
    /// </summary>
    private BadRequest OddAccept()
    {
        var accept = Pick("text/html", "application/xml", "text/plain", "image/png", "application/json;q=0", "*/*;q=0", "garbage;;;q=x", "text/html,application/xhtml+xml;q=0.9");
        var (method, path, body) = Pick(
            () => ("GET", $"/api/products/{Pick(BadIds)}", (string?)null),
            () => ("GET", $"/api/products/{MissingId()}", null),
            () => ("GET", "/api/products?cursor=%25%25%25bad", null),
            () => ("GET", "/api/nope", null),
            () => ("PATCH", "/api/products", ValidProductJson()),
            () => ("POST", "/api/products", "{\"sku\":"),
            () => ("POST", "/api/products", "{}"),
            () => ("PUT", $"/api/products/{_seededId}", """{"sku":"SWEEP-SEED","name":"Sweep seed","price":12.34}"""));
        return new BadRequest("odd-accept", method, path, body is null ? null : Bytes(body), body is null ? null : Json, [new("Accept", accept)],
            Expect: method == "GET" && ParsesAsAnId(path) ? Expectation.MayAccept : Expectation.MustReject);
    }

    private BadRequest GraphQLGarbage()
    {
        string Request(string query) => $$"""{"query":{{System.Text.Json.JsonSerializer.Serialize(query)}}}""";
        var (body, type, accept) = Pick(
            () => ("{\"query\":", Json, (string?)null),
            () => ("""{"query":123}""", Json, null),
            () => ("""{"query":["{ products { edges { node { id } } } }"]}""", Json, null),
            () => ("""{"query":null}""", Json, null),
            () => ("""{}""", Json, null),
            () => ("""[]""", Json, null),
            () => (Request("{ product(id: \"abc\") { id } }"), Json, null),
            () => (Request("{ product(id: \"-1\") { id name } }"), Json, "application/json"),
            () => (Request("{ products(first: -1) { totalCount } }"), Json, null),
            () => (Request("{ products(first: 100000) { edges { node { id } } } }"), Json, null),
            () => (Request($"{{ products(after: \"{Convert.ToBase64String(RandomBytes(24))}\") {{ edges {{ node {{ id }} }} }} }}"), Json, null),
            () => (Request("{ nope }"), Json, null),
            () => (Request("{ product(id: 1) { id "), Json, null),
            () => (Request(new string('{', 10_000)), Json, null),
            () => (Request("{ product(id: 1) " + string.Concat(Enumerable.Repeat("{ sales { id } ", 1)) + "}"), Json, null),
            () => (Request(string.Concat(Enumerable.Repeat("{ a: products { totalCount } }", 1)) + new string(' ', 20_000) + "x"), Json, null),
            () => (Request($"mutation {{ updateProduct(id: \"{MissingId()}\", input: {{ sku: \"A1\", name: \"n\", price: 1 }}, version: 1) {{ id }} }}"), Json, null),
            () => (Request("mutation { createProduct(input: { sku: 5, name: null, price: \"x\" }) { id } }"), Json, null),
            () => (Request("mutation { updateProduct(id: \"1\", input: {}, version: \"x\") { id } }"), Json, null),
            () => ("""{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{"id":[1,2]}}""", Json, null),
            () => ("""{"query":"query($id: ID!) { product(id: $id) { id } }","variables":"not-an-object"}""", Json, null),
            () => ("""{"query":"{ products { totalCount } }","operationName":42}""", Json, null),
            () => (Request("{ products { totalCount } }"), "text/plain", null),
            () => (Request("{ products { totalCount } }"), "application/graphql", null),
            () => (Request("{ products { totalCount } }"), Json, "text/html"),
            () => (Request("{ products { totalCount } }"), Json, "garbage;;;q=x"),
            () => (Request("{ products { totalCount } }"), "application/json; charset=latin1", null));
        var headers = accept is null ? Array.Empty<KeyValuePair<string, string>>() : [new("Accept", accept)];
        return Pick(
            () => new BadRequest("graphql", "POST", "/graphql", Bytes(body), type, headers),
            () => new BadRequest("graphql", "GET", $"/graphql?query={Uri.EscapeDataString(Pick("mutation { createProduct(input: { sku: \"G1\", name: \"n\", price: 1 }) { id } }", "{", "", "{ nope }"))}", null, null, headers),
            () => new BadRequest("graphql", "PATCH", "/graphql", Bytes(body), type, headers));
    }

    private BadRequest GrpcGarbage()
    {
        var body = Pick(
            () => "{\"sku\":",
            () => """{"sku":1,"name":[],"price":{}}""",
            () => """{"sku":"A1","name":"n","price":"not-a-number"}""",
            () => """{"sku":"A1","name":"n","price":"1e400"}""",
            () => """{"sku":"A1","name":"n","price":"-1"}""",
            () => """{"sku":"A1","name":"n","price":"1.00000000000000000000000000000000000000001"}""",
            () => """{"sku":"","name":"","price":""}""",
            () => """{"unknownField":true}""",
            () => """{"sku":"A1","name":"n","price":"1","version":"x"}""",
            () => """{"sku":"A1","name":"n","price":"1","version":99999999999999999999}""",
            () => new string('[', 10_000),
            () => $$"""{"sku":"{{Pick(OddStrings)}}","name":"n","price":"1"}""");
        return Pick(
            () => ReadById("grpc-transcoding", "/grpc/v1/products/", []),
            () => new BadRequest("grpc-transcoding", "GET", $"/grpc/v1/products/{MissingId()}", null, null, []),
            () => new BadRequest("grpc-transcoding", "GET", $"/grpc/v1/products?page_size={Pick("-1", "abc", "99999999999", "1.5")}", null, null, []),
            () => new BadRequest("grpc-transcoding", "GET", $"/grpc/v1/products?page_token={Uri.EscapeDataString(Pick(Convert.ToBase64String(RandomBytes(30)), new string('A', 10_000), "%%%", Base64Json("{}")))}", null, null, []),
            () => new BadRequest("grpc-transcoding", "POST", "/grpc/v1/products", Bytes(body), Json, []),
            () => new BadRequest("grpc-transcoding", "POST", "/grpc/v1/products", Bytes(body), "text/plain", []),
            () => new BadRequest("grpc-transcoding", "PUT", $"/grpc/v1/products/{MissingId()}", Bytes(body), Json, []),
            () => new BadRequest("grpc-transcoding", "DELETE", $"/grpc/v1/products/{Pick(BadWriteIds)}", null, null, []),
            () => new BadRequest("grpc-transcoding", "DELETE", $"/grpc/v1/products/{MissingId()}", null, null, []),
            () => new BadRequest("grpc-transcoding", "PATCH", $"/grpc/v1/products/{_seededId}", Bytes(body), Json, []));
    }

    /// <summary>
    /// The security module's endpoints: broken sign-in and registration bodies, unknown or forged refresh tokens,
    /// passkey ceremonies out of order or with forged credentials, and a form post without its antiforgery token.
    /// Nothing here can succeed: emails are new or invalid, passwords too short or wrong, tokens random.
    /// </summary>
    private BadRequest AuthGarbage()
    {
        var email = $"sweep-{Next(0, 1_000_000)}@example.test";
        var body = Pick(
            () => "{\"email\":",
            () => $$"""{"email":"{{Pick("not-an-email", "", "a@", "@b", new string('a', 300) + "@example.test")}}","password":"short"}""",
            () => $$"""{"email":"{{email}}","password":"{{Pick("", "x", "12345678901")}}"}""",
            () => $$"""{"email":{{Pick("1", "[]", "{}", "null", "true")}},"password":{{Pick("1", "[]", "{}", "null")}}}""",
            () => $$"""{"email":"{{email}}","password":"{{Pick(OddStrings)}}"}""",
            () => $$"""{"refreshToken":"{{Pick(Convert.ToBase64String(RandomBytes(32)), new string('A', 10_000), "", "%%%", Pick(OddStrings))}}"}""",
            () => """{"refreshToken":12345}""",
            () => "[]",
            () => "null");
        var credential = Pick(
            () => "{}",
            () => "{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{}}",
            () => $$$"""{"id":"{{{Base64Json("{}")}}}","rawId":"x","type":"public-key","response":{"clientDataJSON":"{{{Convert.ToBase64String(RandomBytes(64))}}}","authenticatorData":"%%%","signature":"AA"}}""",
            () => "{\"type\":",
            () => "[1,2,3]",
            () => new string('{', 5_000));
        List<Func<BadRequest>> requests =
        [
            () => new BadRequest("auth", "POST", "/api/auth/register", Bytes(body), Json, []),
            () => new BadRequest("auth", "POST", "/api/auth/login", Bytes(body), Pick(Json, "text/plain"), []),
            () => new BadRequest("auth", "POST", "/api/auth/login?useCookies=" + Pick("true", "maybe", "1"), Bytes(body), Json, []),
            () => new BadRequest("auth", "POST", "/api/auth/refresh", Bytes(body), Json, []),
            () => new BadRequest("auth", "POST", "/api/auth/refresh", null, null, [new("Cookie", "__Secure-refresh_token=" + Pick("forged", Convert.ToBase64String(RandomBytes(32)), "%00"))]),
            () => Logout(body, Pick(Json, "application/xml")),
            () => new BadRequest("auth", "POST", "/api/auth/password", Bytes(Pick(body, """{"currentPassword":"x","newPassword":""}""", """{"currentPassword":[],"newPassword":{}}""")), Pick(Json, "text/plain"), []),
            // Never a well-formed request for forgot: the app under test has no SMTP server, and answers those 503.
            () => new BadRequest("auth", "POST", "/api/auth/password/forgot", Bytes(Pick(body, """{"email":"not-an-email"}""", """{"email":[1]}""", """{"email":""}""")), Pick(Json, "text/plain"), []),
            () => new BadRequest("auth", "POST", "/api/auth/password/reset", Bytes(Pick(body, """{"email":"nobody@example.test","code":"%%%","newPassword":"long enough to pass the rules"}""", """{"email":"nobody@example.test","code":"AAAA","newPassword":"x"}""", """{"email":1,"code":{},"newPassword":[]}""", """{"email":"a@b.c","code":"\ud800","newPassword":"long enough to pass the rules"}""")), Json, []),
            () => new BadRequest("auth", "GET", "/api/auth/me", null, null, [new("Authorization", "Bearer " + Pick("x.y.z", "eyJhbGciOiJub25lIn0.e30.", Convert.ToBase64String(RandomBytes(40))))]),
            () => new BadRequest("auth", "POST", "/account/logout", Bytes("returnUrl=%2F"), "application/x-www-form-urlencoded", []),
            () => new BadRequest("auth", "POST", "/account/logout", Bytes("returnUrl=https://evil.example"), Pick("application/x-www-form-urlencoded", Json), []),
        ];
        if (_passkeys)
        {
            requests.AddRange(
            [
                () => new BadRequest("auth", "POST", "/api/auth/passkeys/register", Bytes(credential), Pick(Json, "text/plain"), []),
                () => new BadRequest("auth", "POST", "/api/auth/passkeys/login", Bytes(credential), Json, []),
                () => new BadRequest("auth", "POST", "/api/auth/passkeys/creation-options", Bytes(Pick("{\"email\":", "{\"email\":\"not-an-email\"}", "{\"email\":[1]}", "[]")), Json, []),
                () => new BadRequest("auth", "POST", "/api/auth/passkeys/request-options", Bytes(Pick("{\"email\":", "{\"email\":{}}", "[]")), Json, []),
                () => new BadRequest("auth", "PUT", $"/api/auth/passkeys/{Pick("%%%", "AAAA", "!", new string('A', 2_000))}", Bytes(Pick("{\"name\":\"\"}", "{\"name\":\"a\\u0000b\"}", "{}")), Json, []),
                () => new BadRequest("auth", "DELETE", $"/api/auth/passkeys/{Pick("%%%", "AAAA", "!", "..%2F")}", null, null, []),
            ]);
        }

        return requests[Next(0, requests.Count)]();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Logout ends the sign-in of the refresh token it is given, if any, and answers 204 whether or not one matched:
    /// a JSON object without a `refreshToken` (its other properties ignored) or with one that could be a token (plain text,
    /// at most 128 characters), or JSON null, is a valid logout.
    /// </summary>
    private static BadRequest Logout(string body, string contentType)
    {
        var valid = false;
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            var root = json.RootElement;
            valid = contentType == Json
                && (root.ValueKind == System.Text.Json.JsonValueKind.Null
                    || (root.ValueKind == System.Text.Json.JsonValueKind.Object
                        && (!root.TryGetProperty("refreshToken", out var token)
                            || (token.ValueKind == System.Text.Json.JsonValueKind.String && token.GetString() is { Length: <= 128 } text && !Sweep.JsonText.HasInvisible(text)))));
        }
        catch (System.Text.Json.JsonException)
        {
            // not JSON: must be refused
        }

        return new BadRequest("auth", "POST", "/api/auth/logout", Bytes(body), contentType, [], Expect: valid ? Expectation.MayAccept : Expectation.MustReject);
    }

    /// <summary>A read of one of <see cref="BadIds"/>; " 1" and "+1" parse as 1 (may be the seeded product), a valid read.</summary>
    private BadRequest ReadById(string category, string prefix, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var path = prefix + Pick(BadIds);
        return new BadRequest(category, "GET", path, null, null, headers, Expect: ParsesAsAnId(path) ? Expectation.MayAccept : Expectation.MustReject);
    }

    private static bool ParsesAsAnId(string path) => path.EndsWith("/ 1", StringComparison.Ordinal) || path.EndsWith("/+1", StringComparison.Ordinal);

    /// <summary>
    /// A write endpoint for a body-level fault. The seeded product is a target only through PUT without a version,
    /// where the body fault or the missing precondition stops the write.
    /// </summary>
    private (string Method, string Path) PickTarget()
    {
        List<(string, string)> targets =
        [
            ("POST", "/api/products"),
            ("PUT", $"/api/products/{(_random.Next(2) == 0 ? _seededId : MissingId())}"),
            ("POST", "/api/sales"),
        ];
        if (_graphQL)
        {
            targets.Add(("POST", "/graphql"));
        }

        if (_grpc)
        {
            targets.Add(("POST", "/grpc/v1/products"));
            targets.Add(("PUT", $"/grpc/v1/products/{MissingId()}"));
        }

        return Pick([.. targets]);
    }

    /// <summary>Broken bodies go to every write endpoint, the seeded product included (an unparsable body changes nothing).</summary>
    private BadRequest JsonWrite(string body)
    {
        var (method, path) = PickTarget();
        // Two values for one key: System.Text.Json keeps the last, so a product body whose last values are valid may
        // be created (a parser that refuses duplicates is right too).
        var duplicateValid = body.StartsWith("""{"sku":"A1","sku":"B2",""", StringComparison.Ordinal) && method == "POST" && path == "/api/products";
        return new BadRequest("broken-json", method, path, Bytes(body), Json, [], Expect: duplicateValid ? Expectation.MayAccept : Expectation.MustReject);
    }

    private static BadRequest Write(string category, string method, string path, string body) =>
        new(category, method, path, Bytes(body), Json, []);

    private string ValidProductJson() => $$"""{"sku":"SWEEP-{{Next(0, 1_000_000)}}","name":"Sweep","price":{{Next(0, 1000)}}.5}""";

    private long MissingId() => MissingIdBase + _random.Next(1_000_000);

    private int Next(int min, int max) => _random.Next(min, max);

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(params T[] options) => options[_random.Next(options.Length)];

    private T Pick<T>(params Func<T>[] options) => options[_random.Next(options.Length)]();

    private static string Base64Json(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
