using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Company.Starter.Data;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests;

public sealed class ProductApiTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_created_product_can_be_read_back()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/products", new { sku = "LAMP-1", name = "Lamp", price = 19.90m }, CancellationToken);
        var created = (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal($"/api/products/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(1, created.GetProperty("version").GetInt64());

        var read = (await (await client.GetAsync($"/api/products/{id}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("Lamp", read.GetProperty("name").GetString());
        Assert.Equal(19.90m, read.GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task Invalid_input_is_a_400_problem_naming_each_field()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/products", new { sku = "", name = new string('x', 201), price = -1 }, CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("sku", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("name", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("price", out _), errors.ToString());
    }

    [Theory]
    [InlineData("{\"sku\": \"A-1\", \"name\": \"Lamp\", \"price\": ")]
    [InlineData("{\"sku\": 12, \"name\": [], \"price\": \"cheap\"}")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task A_malformed_body_is_a_400_problem_not_a_crash(string body)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.PostAsync("/api/products", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    [Fact]
    public async Task An_unknown_product_is_a_404_problem()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var problem = await (await client.GetAsync("/api/products/987654", CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal("info", problem.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task A_stale_update_is_a_409_problem_and_the_first_update_stands()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var created = (await (await client.PostAsJsonAsync("/api/products", new { sku = "MUG-1", name = "Mug", price = 5 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        var id = created.GetProperty("id").GetInt64();

        var first = await client.PutAsJsonAsync($"/api/products/{id}", new { sku = "MUG-1", name = "Big mug", price = 6, version = 1 }, CancellationToken);
        Assert.Equal(2, (await first.ReadDataAsync(HttpStatusCode.OK)).GetProperty("data").GetProperty("version").GetInt64());

        var stale = await client.PutAsJsonAsync($"/api/products/{id}", new { sku = "MUG-1", name = "Tiny mug", price = 1, version = 1 }, CancellationToken);
        await stale.ReadProblemAsync(HttpStatusCode.Conflict, "concurrency_conflict");

        var read = (await (await client.GetAsync($"/api/products/{id}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("Big mug", read.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_duplicate_sku_is_a_409_problem_and_logs_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();
        await (await client.PostAsJsonAsync("/api/products", new { sku = "DUP-1", name = "One", price = 1 }, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);

        var again = await client.PostAsJsonAsync("/api/products", new { sku = "DUP-1", name = "Two", price = 2 }, CancellationToken);

        await again.ReadProblemAsync(HttpStatusCode.Conflict, "duplicate_key");
        // The database refused the insert, and EF Core logs such a failed command at Error unless told otherwise.
        errors.AssertEmpty();
    }

    [Fact]
    public async Task An_unexpected_database_failure_is_a_500_problem_logged_as_an_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(
            environment,
            services =>
            {
                errors.Register(services);
                services.ConfigureDbContext<AppDbContext>(db => db.AddInterceptors(new BrokenProductInsert()));
            });
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/products", new { sku = "LAMP-1", name = "Lamp", price = 1 }, CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.InternalServerError, "internal_error");
        // EF Core's own failure events are quiet now; the app's exception handler is what reports the bug.
        Assert.Contains(errors.Entries, entry => entry.Contains("Unhandled exception; answered 500", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/products/+{0}", "id")] // long.TryParse reads "+1", " 1" and "1\0" as 1: each named product 1
    [InlineData("/api/products/%20{0}", "id")]
    [InlineData("/api/products?limit=5%00", "limit")]
    [InlineData("/api/products?limit=%205", "limit")]
    [InlineData("/api/products?limit=+5", "limit")]
    public async Task Numbers_in_the_url_are_read_strictly(string url, string field)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();
        var id = (await (await client.PostAsJsonAsync("/api/products", new { sku = "LAMP-1", name = "Lamp", price = 1 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();

        var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, url, id), CancellationToken);

        await response.ReadValidationProblemAsync(field);
        errors.AssertEmpty();
    }

    [Fact]
    public async Task The_list_pages_with_an_opaque_cursor_until_it_runs_out()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        for (var i = 0; i < 7; i++)
        {
            await (await client.PostAsJsonAsync("/api/products", new { sku = $"P-{i}", name = $"Product {i}", price = i }, CancellationToken))
                .ReadDataAsync(HttpStatusCode.Created);
        }

        var names = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = cursor is null ? "/api/products?limit=3" : $"/api/products?limit=3&cursor={Uri.EscapeDataString(cursor)}";
            var page = await (await client.GetAsync(url, CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
            names.AddRange(page.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
            var next = page.GetProperty("nextCursor");
            cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"Product {i}"), names);
    }

    [Theory]
    [InlineData("/api/products?cursor=bm90LWEtY3Vyc29y", "invalid_cursor")]
    [InlineData("/api/products?limit=0", "validation_failed")]
    [InlineData("/api/products?limit=1000", "validation_failed")]
    [InlineData("/api/products?limit=abc", "validation_failed")]
    public async Task Bad_list_parameters_are_400_problems(string url, string code)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        await (await client.GetAsync(url, CancellationToken)).ReadProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Deleting_a_product_with_sales_is_a_409_problem_and_keeps_it()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var id = (await (await client.PostAsJsonAsync("/api/products", new { sku = "SOLD-1", name = "Sold", price = 1 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();
        await (await client.PostAsJsonAsync("/api/sales", new { productId = id, quantity = 1 }, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);

        await (await client.DeleteAsync($"/api/products/{id}", CancellationToken)).ReadProblemAsync(HttpStatusCode.Conflict, "in_use");

        await (await client.GetAsync($"/api/products/{id}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Control_characters_in_a_name_are_a_validation_problem_not_a_database_error()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        // PostgreSQL text cannot hold NUL: without the rule this reached the database as a 500.
        var response = await client.PostAsJsonAsync("/api/products", new { sku = "NUL-1", name = "bad\u0000name", price = 1 }, CancellationToken);

        await response.ReadValidationProblemAsync("name");
    }

    /// <summary>Strings a hostile client sends: each must be refused as a client error, none may reach the database.</summary>
    public static readonly string[] HostileStrings =
    [
        "\u202Eexe.txt",          // right-to-left override: shows as "txt.exe"
        "zero\u200Bwidth",        // zero-width space: a look-alike of "zerowidth"
        "joined\u200Dname",       // zero-width joiner
        "\uFEFFbom",              // byte order mark (zero-width no-break space)
        "isolate\u2066x\u2069",   // bidi isolates
        "nul\u0000name",          // PostgreSQL text cannot hold NUL
        "line\u2028break",        // line separator
        "tab\tname",
        "lone \uD800 high",       // unpaired surrogates: not Unicode, no UTF-8 form
        "lone \uDC00 low",
        new string('x', 100_000),
    ];

    [Fact]
    public async Task Hostile_names_and_skus_are_validation_problems_and_log_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        foreach (var (text, i) in HostileStrings.Select((text, i) => (text, i)))
        {
            var name = await client.PostAsync("/api/products", Json($$"""{"sku":"H-{{i}}","name":{{Escaped(text)}},"price":1}"""), CancellationToken);
            await AssertRefusedAsync(name, "name", text);
            var sku = await client.PostAsync("/api/products", Json($$"""{"sku":{{Escaped(text)}},"name":"Fine","price":1}"""), CancellationToken);
            await AssertRefusedAsync(sku, "sku", text);
        }

        // What is refused is not stored: the catalogue is still empty.
        var list = await (await client.GetAsync("/api/products", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
        errors.AssertEmpty();
    }

    [Theory]
    [InlineData("1e-28")]
    [InlineData("0.001")]
    [InlineData("19.999")]
    [InlineData("-0.01")]
    [InlineData("1000000000.01")]
    public async Task A_price_the_column_cannot_keep_exactly_is_a_validation_problem(string price)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        var response = await client.PostAsync(
            "/api/products", new StringContent($$"""{"sku":"P-1","name":"Tiny","price":{{price}}}""", Encoding.UTF8, "application/json"), CancellationToken);

        await response.ReadValidationProblemAsync("price");
        errors.AssertEmpty();
    }

    [Theory]
    [InlineData("19.900", "19.90")]
    [InlineData("5", "5")]
    [InlineData("0.10", "0.1")]
    public async Task The_price_a_create_echoes_is_the_price_stored(string sent, string stored)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.PostAsync(
            "/api/products", new StringContent($$"""{"sku":"P-1","name":"Lamp","price":{{sent}}}""", Encoding.UTF8, "application/json"), CancellationToken);
        var echoed = (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        var read = (await (await client.GetAsync($"/api/products/{echoed.GetProperty("id").GetInt64()}", CancellationToken))
            .ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");

        var expected = decimal.Parse(stored, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, echoed.GetProperty("price").GetDecimal());
        Assert.Equal(expected, read.GetProperty("price").GetDecimal());
        Assert.True(echoed.GetProperty("price").GetDecimal().Scale <= 2, $"Echoed {echoed.GetProperty("price")}");
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("79228162514264337593543950336")]
    public async Task A_price_that_is_no_decimal_is_a_400_problem(string price)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        var response = await client.PostAsync(
            "/api/products", new StringContent($$"""{"sku":"P-1","name":"Huge","price":{{price}}}""", Encoding.UTF8, "application/json"), CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
        errors.AssertEmpty();
    }

    [Fact]
    public async Task A_forged_cursor_is_a_400_problem_not_a_database_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        // Well-formed cursors (base64url JSON) whose key the database cannot take.
        foreach (var cursor in new[] { Cursor("""{"Key":"a\u0000b","Id":1}"""), Cursor("""{"Key":"\uD800","Id":1}"""), Cursor("""{"Key":"\uDC00x","Id":1}""") })
        {
            await (await client.GetAsync($"/api/products?cursor={cursor}", CancellationToken)).ReadProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        }

        // Odd but storable keys page on as any other.
        foreach (var cursor in new[] { Cursor($$"""{"Key":"{{new string('x', 4000)}}","Id":1}"""), Cursor("""{"Key":"a","Id":-9223372036854775808}""") })
        {
            await (await client.GetAsync($"/api/products?cursor={cursor}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        }

        errors.AssertEmpty();
    }

    /// <summary>
    /// A 400 problem: validation_failed naming <paramref name="field"/>, or bad_request where the JSON reader itself
    /// refuses the text (it does so for an escaped unpaired surrogate, before any rule runs).
    /// </summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string text)
    {
        if (!text.Any(char.IsSurrogate))
        {
            await response.ReadValidationProblemAsync(field);
        }
        else
        {
            await response.ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// A JSON string literal with every non-ASCII character escaped: a serializer would replace an unpaired surrogate
    /// with U+FFFD before sending, and a hostile client does not.
    /// </summary>
    private static string Escaped(string text) =>
        "\"" + string.Concat(text.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:X4}")) + "\"";

    private static string Cursor(string json) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("text/html")]
    [InlineData("image/png")]
    public async Task Errors_are_problem_json_whatever_the_client_accepts(string accept)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd(accept);

        await (await client.GetAsync("/api/nothing-here", CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await client.PostAsJsonAsync("/api/products", new { }, CancellationToken)).ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Deleting_twice_is_204_then_404()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var id = (await (await client.PostAsJsonAsync("/api/products", new { sku = "DEL-1", name = "Gone", price = 1 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/products/{id}", CancellationToken)).StatusCode);
        await (await client.DeleteAsync($"/api/products/{id}", CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await client.GetAsync($"/api/products/{id}", CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>Sends the database an INSERT into a table that does not exist: a genuine database error no one expects.</summary>
    private sealed class BrokenProductInsert : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            // PostgreSQL's SQL names the table as products, SQLite's as "products".
            command.CommandText = System.Text.RegularExpressions.Regex.Replace(command.CommandText, "INSERT INTO \"?products\"?", "INSERT INTO no_such_table");

            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
