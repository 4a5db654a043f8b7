using System.Buffers.Text;
using System.Text;
using TemplatePack.Tests.Run;
using TemplatePack.Tests.Run.Sweep;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The malformed-request tier stands on <see cref="ErrorContract"/> and on the sweep's classification of what it
/// generates: these pin both on fixed input, without building anything, so a lax rule or a misjudged value cannot turn
/// a real violation into a pass.
/// </summary>
[Trait("Tier", "contract")]
public sealed class ErrorContractTests
{
    private const string Problem400 = """{"title":"Bad","status":400,"code":"validation_failed","severity":"warning"}""";

    private static BadRequest Rest(Expectation expect) => new("t", "POST", "/api/products", [], "application/json", [], Expect: expect);

    private static BadRequest At(string path, Expectation expect = Expectation.MustReject) => new("t", "POST", path, [], "application/json", [], Expect: expect);

    [Fact]
    public void A_2xx_for_an_input_that_must_be_refused_is_a_violation()
    {
        Assert.Contains("accepted with 201", ErrorContract.Violation(Rest(Expectation.MustReject), 201, "application/json", """{"data":{}}"""));
        Assert.Null(ErrorContract.Violation(Rest(Expectation.MayAccept), 201, "application/json", """{"data":{}}"""));
        Assert.NotNull(ErrorContract.Violation(At("/grpc/v1/products"), 200, "application/json", """{"id":1}"""));
    }

    [Fact]
    public void A_5xx_or_a_redirect_is_a_violation_whatever_the_input()
    {
        foreach (var expect in new[] { Expectation.MustReject, Expectation.MayAccept })
        {
            Assert.Contains("server error 500", ErrorContract.Violation(Rest(expect), 500, ErrorContract.ProblemJson, """{"status":500,"code":"internal_error","severity":"error"}"""));
            Assert.Contains("server error 503", ErrorContract.Violation(Rest(expect), 503, ErrorContract.ProblemJson, """{"status":503,"code":"x","severity":"error"}"""));
            Assert.Contains("redirect", ErrorContract.Violation(Rest(expect), 302, null, ""));
        }
    }

    [Fact]
    public void A_client_error_must_be_a_problem_with_code_and_severity()
    {
        Assert.Null(ErrorContract.Violation(Rest(Expectation.MustReject), 400, ErrorContract.ProblemJson, Problem400));
        Assert.Null(ErrorContract.Violation(Rest(Expectation.MayAccept), 400, ErrorContract.ProblemJson, Problem400));
        Assert.Contains("severity", ErrorContract.Violation(Rest(Expectation.MustReject), 400, ErrorContract.ProblemJson, """{"status":400,"code":"x"}"""));
        Assert.Contains("code", ErrorContract.Violation(Rest(Expectation.MustReject), 400, ErrorContract.ProblemJson, """{"status":400,"severity":"warning"}"""));
        Assert.Contains("status", ErrorContract.Violation(Rest(Expectation.MustReject), 400, ErrorContract.ProblemJson, """{"status":409,"code":"x","severity":"warning"}"""));
        Assert.Contains("Content-Type", ErrorContract.Violation(Rest(Expectation.MustReject), 400, "application/json", Problem400));
    }

    [Fact]
    public void Only_Kestrels_own_rejections_may_be_bodiless()
    {
        Assert.NotNull(ErrorContract.Violation(Rest(Expectation.MustReject), 400, null, ""));
        Assert.NotNull(ErrorContract.Violation(Rest(Expectation.MustReject), 404, null, "", connectionClosed: true));
        Assert.Null(ErrorContract.Violation(Rest(Expectation.MustReject), 400, null, "", connectionClosed: true));
        Assert.Null(ErrorContract.Violation(Rest(Expectation.MustReject), 414, null, "", connectionClosed: true));
    }

    [Fact]
    public void GraphQL_must_refuse_with_errors_and_never_with_internal_error()
    {
        var graphQL = At("/graphql");
        Assert.Null(ErrorContract.Violation(graphQL, 200, ErrorContract.GraphQLResponseJson, """{"errors":[{"message":"m","extensions":{"code":"validation_failed"}}],"data":null}"""));
        Assert.Contains("no `errors`", ErrorContract.Violation(graphQL, 200, ErrorContract.GraphQLResponseJson, """{"data":{"createProduct":{"id":"1"}}}"""));
        Assert.Contains("internal_error", ErrorContract.Violation(At("/graphql", Expectation.MayAccept), 200, ErrorContract.GraphQLResponseJson, """{"errors":[{"message":"m","extensions":{"code":"internal_error"}}],"data":null}"""));
        Assert.Null(ErrorContract.Violation(graphQL, 400, ErrorContract.GraphQLResponseJson, """{"errors":[{"message":"m"}]}"""));
    }

    [Fact]
    public void A_transcoded_gRPC_error_is_a_google_rpc_Status()
    {
        var grpc = At("/grpc/v1/products");
        Assert.Null(ErrorContract.Violation(grpc, 400, "application/json", """{"code":3,"message":"m","details":[]}"""));
        Assert.NotNull(ErrorContract.Violation(grpc, 400, "application/json", """{"message":"m"}"""));
    }

    [Fact]
    public void An_error_level_log_line_for_a_request_is_a_violation()
    {
        const string line = """{"level":"Error","trace_id":"0135290600000000000000000000002a","message":"Failed executing DbCommand"}""";
        var log = AppLog.Parse("start-up\n" + line + "\n{\"level\":\"Warning\",\"trace_id\":\"x\"}\n{\"level\":\"Critical\",\"message\":\"no trace\"}", skipLines: 1);

        Assert.Equal([line], log.For(RequestSweeper.TraceId(20_261_126, 41)));
        Assert.Empty(log.For("x"));
        Assert.Single(log.Unattributed);
        Assert.Contains("error-level", ErrorContract.LogViolation(log.For(RequestSweeper.TraceId(20_261_126, 41))));
        Assert.Null(ErrorContract.LogViolation([]));
    }

    [Fact]
    public void Strings_are_judged_by_the_schema_and_their_role()
    {
        var name = new FieldSchema { Kind = FieldKind.String, MaxLength = 200, Pattern = @"^[^\p{Cc}]*$" };
        var password = name with { Role = TextRole.Secret, Pattern = null };

        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(name, true, "a\0b"));
        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(name, true, "a\u202eb"));     // bidi override
        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(name, true, "a\u200bb"));     // zero-width space
        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(name, true, "\ud800"));       // lone surrogate
        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(name, true, new string('a', 201)));
        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(name, true, "   "));
        Assert.Equal(Expectation.MayAccept, HostileValues.Verdict(name, true, new string('a', 200)));  // long but legal
        Assert.Equal(Expectation.MayAccept, HostileValues.Verdict(name, true, "\u05e9\u05dc\u05d5\u05dd \U0001F600"));
        Assert.Equal(Expectation.MayAccept, HostileValues.Verdict(password, true, "pass\tword\u202e-long-enough"));
        Assert.Equal(Expectation.MustReject, HostileValues.Verdict(password, true, "pass\ud800word-long-enough"));
    }

    [Fact]
    public void Numbers_are_judged_by_their_exact_value_range_and_scale()
    {
        var price = new FieldSchema { Kind = FieldKind.Number, Minimum = 0, Maximum = 1_000_000_000, Scale = 2 };
        var quantity = new FieldSchema { Kind = FieldKind.Integer, Format = "int32", Minimum = 1, Maximum = 1_000_000 };
        var context = new SweepContext(1, 1, 2);

        var prices = HostileValues.Json("price", price, true, "12.5", context).ToDictionary(v => v.Label, v => v.Expect);
        Assert.Equal(Expectation.MustReject, prices["1e-28 (smallest decimal)"]);
        Assert.Equal(Expectation.MustReject, prices["scale 3"]);
        Assert.Equal(Expectation.MustReject, prices["decimal overflow (2^96)"]);
        Assert.Equal(Expectation.MustReject, prices["above the maximum"]);
        // Beyond a decimal's 28 digits a JSON number is read rounded (RFC 8259 lets readers do so): the rounded value decides.
        Assert.Equal(Expectation.MayAccept, prices["over decimal precision"]);
        Assert.Equal(Expectation.MayAccept, prices["tiny"]);
        Assert.Equal(Expectation.MustReject, prices["over decimal precision, scale 3"]);
        Assert.Equal(Expectation.MustReject, prices["NaN as a string"]);
        Assert.Equal(Expectation.MayAccept, prices["scale 2"]);
        Assert.Equal(Expectation.MayAccept, prices["minus zero"]);
        Assert.Equal(Expectation.MayAccept, prices["maximum"]);

        var quantities = HostileValues.Json("quantity", quantity, true, "1", context).ToDictionary(v => v.Label, v => v.Expect);
        Assert.Equal(Expectation.MustReject, quantities["int32 overflow"]);
        Assert.Equal(Expectation.MustReject, quantities["zero"]);
        Assert.Equal(Expectation.MustReject, quantities["exponent"]);
        Assert.Equal(Expectation.MayAccept, quantities["maximum"]);
    }

    [Fact]
    public void Forged_cursors_are_in_the_apps_format()
    {
        var cursors = HostileCursors.All(new SweepContext(1, 42, 43)).ToDictionary(c => c.Label);

        Assert.Equal("""{"Key":"a\u0000b","Id":1}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursors["key with NUL"].Wire)));
        Assert.Equal(Expectation.MustReject, cursors["key with NUL"].Expect);
        Assert.Equal(Expectation.MayAccept, cursors["well-formed"].Expect);
        Assert.Contains("\"Id\":42", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursors["well-formed"].Wire)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_sweep_is_the_seeds_and_covers_every_operation()
    {
        const string document = """
            {"openapi":"3.1.1","paths":{
              "/api/things":{"post":{"operationId":"CreateThing","requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/ThingRequest"}}}}},
                             "get":{"operationId":"ListThings","parameters":[{"name":"cursor","in":"query","schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":["integer","string"],"format":"int32","minimum":1,"maximum":100}}]}},
              "/api/things/{id}":{"delete":{"operationId":"DeleteThing","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer","format":"int64"}}]}}},
             "components":{"schemas":{"ThingRequest":{"required":["name","price"],"type":"object","properties":{
               "name":{"type":["null","string"],"maxLength":20},"price":{"type":["null","number","string"],"minimum":0,"maximum":100}}}}}}
            """;
        SchemaSweep Build() => SchemaSweep.Build(new SweepContext(7, 1, 2), OpenApiOperations.Parse(document), null, null, 1_000, 16, 10_000);

        var first = Build().Requests.Select(r => r.ToString()).ToList();
        Assert.Equal(first, Build().Requests.Select(r => r.ToString()).ToList());
        var requests = Build().Requests;
        Assert.Contains(requests, r => r.Category.StartsWith("CreateThing name: NUL", StringComparison.Ordinal) && r.Expect == Expectation.MustReject);
        Assert.Contains(requests, r => r.Category == "CreateThing price: 1e-28 (smallest decimal)" && r.Expect == Expectation.MustReject);
        Assert.Contains(requests, r => r.Category == "CreateThing name missing" && r.Expect == Expectation.MustReject);
        Assert.Contains(requests, r => r.Category.StartsWith("ListThings ?cursor: key with NUL", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Category == "ListThings ?limit: above the maximum" && r.Expect == Expectation.MustReject);
        // A delete never names a row that exists: every generated id must be refused.
        Assert.All(requests.Where(r => r.Method == "DELETE"), r => Assert.Equal(Expectation.MustReject, r.Expect));
        Assert.Equal(requests.Count, Build().Generated.Values.Sum());
    }
}
