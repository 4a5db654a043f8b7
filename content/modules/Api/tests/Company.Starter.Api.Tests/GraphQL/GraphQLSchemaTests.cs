using System.Net;
using System.Text.Json;
using Company.Starter.Data;
using Company.Starter.Data.Sales;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.GraphQL;

public sealed class GraphQLSchemaTests(TestEnvironment environment)
{
    private const string ProductFields = "id sku name price version createdAt updatedAt";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_created_product_can_be_read_back_by_id()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var created = (await client.QueryAsync(
            $"mutation($input: ProductInput!) {{ createProduct(input: $input) {{ {ProductFields} }} }}",
            new { input = new { sku = "LAMP-1", name = "Lamp", price = 19.90m } })).GetProperty("createProduct");
        var id = created.GetProperty("id").GetString();
        Assert.Equal(1, created.GetProperty("version").GetInt64());
        Assert.Equal(DateTimeKind.Utc, created.GetProperty("createdAt").GetDateTime().Kind);

        var read = (await client.QueryAsync($"query($id: ID!) {{ product(id: $id) {{ {ProductFields} }} }}", new { id })).GetProperty("product");
        Assert.Equal(id, read.GetProperty("id").GetString());
        Assert.Equal("LAMP-1", read.GetProperty("sku").GetString());
        Assert.Equal("Lamp", read.GetProperty("name").GetString());
        Assert.Equal(19.90m, read.GetProperty("price").GetDecimal());

        // An ID may be written as a string or an integer.
        Assert.Equal(id, (await client.QueryAsync($"{{ product(id: {id}) {{ id }} }}")).GetProperty("product").GetProperty("id").GetString());
        var missing = await client.QueryAsync("{ product(id: \"987654\") { id } }");
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("product").ValueKind);
    }

    [Fact]
    public async Task Products_page_with_cursors_until_they_run_out()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        for (var i = 0; i < 7; i++)
        {
            await client.QueryAsync("mutation($input: ProductInput!) { createProduct(input: $input) { id } }", new { input = new { sku = $"P-{i}", name = $"Product {i}", price = i } });
        }

        var names = new List<string>();
        string? after = null;
        var pages = 0;
        bool hasNextPage;
        do
        {
            var page = (await client.QueryAsync(
                "query($after: String) { products(first: 3, after: $after) { edges { cursor node { name } } nodes { name } pageInfo { hasNextPage endCursor } } }",
                new { after })).GetProperty("products");
            var edges = page.GetProperty("edges").EnumerateArray().ToList();
            var pageNames = edges.Select(edge => edge.GetProperty("node").GetProperty("name").GetString()!).ToList();
            Assert.Equal(pageNames, page.GetProperty("nodes").EnumerateArray().Select(node => node.GetProperty("name").GetString()!));
            names.AddRange(pageNames);

            var pageInfo = page.GetProperty("pageInfo");
            hasNextPage = pageInfo.GetProperty("hasNextPage").GetBoolean();
            after = pageInfo.GetProperty("endCursor").GetString();
            Assert.Equal(edges[^1].GetProperty("cursor").GetString(), after);
            pages++;
        }
        while (hasNextPage);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"Product {i}"), names);
    }

    [Theory]
    [InlineData("1\u0000")]
    [InlineData(" 1")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task An_id_that_is_not_a_plain_positive_number_is_a_coded_error(string id)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        // Without the digits-only rule, "1\0" parsed as 1 and answered product 1 (or null) without an error.
        var body = await (await client.PostGraphQLAsync("query ($id: ID!) { product(id: $id) { id } }", new { id })).ReadGraphQLAsync(HttpStatusCode.OK);

        body.SingleError("validation_failed");
    }

    [Fact]
    public async Task A_forged_cursor_and_an_out_of_range_page_size_are_coded_errors()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var forged = await (await client.PostGraphQLAsync("{ products(after: \"bm90LWEtY3Vyc29y\") { nodes { id } } }")).ReadGraphQLAsync(HttpStatusCode.OK);
        forged.SingleError("invalid_cursor");

        var tooMany = await (await client.PostGraphQLAsync("{ products(first: 1000) { nodes { id } } }")).ReadGraphQLAsync(HttpStatusCode.OK);
        var error = tooMany.SingleError("validation_failed");
        Assert.True(error.GetProperty("extensions").GetProperty("errors").TryGetProperty("first", out _), error.ToString());
    }

    [Fact]
    public async Task Nested_sales_of_a_page_load_in_one_batched_query()
    {
        var commands = new CommandCounter();
        await using var api = await ApiFactory.StartAsync(environment, services =>
            services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(commands)));
        using var client = api.CreateClient();

        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var created = await client.QueryAsync("mutation($input: ProductInput!) { createProduct(input: $input) { id } }", new { input = new { sku = $"S-{i}", name = $"Product {i}", price = 2 } });
            ids.Add(long.Parse(created.GetProperty("createProduct").GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }

        // Product i has i + 1 sales, quantities 1..i+1, an hour apart; the last product has none.
        using (var scope = api.Services.CreateScope())
        {
            var ledger = scope.ServiceProvider.GetRequiredService<SalesLedger>();
            var start = new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < 4; i++)
            {
                for (var quantity = 1; quantity <= i + 1; quantity++)
                {
                    await ledger.RecordAsync(new SaleInput(ids[i], quantity, start.AddHours(quantity)), CancellationToken);
                }
            }
        }

        commands.Reset();
        var page = (await client.QueryAsync("{ products(first: 10) { nodes { name sales(last: 2) { quantity productId } } } }"))
            .GetProperty("products").GetProperty("nodes").EnumerateArray().ToList();

        Assert.Equal(5, page.Count);
        int[][] expected = [[1], [1, 2], [2, 3], [3, 4], []];
        for (var i = 0; i < 5; i++)
        {
            var sales = page[i].GetProperty("sales").EnumerateArray().ToList();
            Assert.Equal(expected[i], sales.Select(sale => sale.GetProperty("quantity").GetInt32()));
            Assert.All(sales, sale => Assert.Equal(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture), sale.GetProperty("productId").GetString()));
        }

        // One query for the page, one for all of its sales: not one per product.
        var executed = commands.Texts;
        Assert.True(executed.Count == 2, string.Join("\n---\n", executed));
        Assert.Single(executed, sql => sql.Contains("sales", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Invalid_input_is_a_validation_error_naming_each_field_and_nothing_is_written()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var body = await (await client.PostGraphQLAsync(
            "mutation($input: ProductInput!) { createProduct(input: $input) { id } }",
            new { input = new { sku = " bad sku", name = new string('x', 201), price = -1 } })).ReadGraphQLAsync(HttpStatusCode.OK);

        var error = body.SingleError("validation_failed");
        var fields = error.GetProperty("extensions").GetProperty("errors");
        Assert.True(fields.TryGetProperty("sku", out _), fields.ToString());
        Assert.True(fields.TryGetProperty("name", out _), fields.ToString());
        Assert.True(fields.TryGetProperty("price", out _), fields.ToString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
        Assert.Empty((await client.QueryAsync("{ products { nodes { id } } }")).GetProperty("products").GetProperty("nodes").EnumerateArray());
    }

    [Fact]
    public async Task A_stale_update_is_a_concurrency_conflict_and_the_first_update_stands()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var id = (await client.QueryAsync("mutation { createProduct(input: { sku: \"MUG-1\", name: \"Mug\", price: 5 }) { id } }"))
            .GetProperty("createProduct").GetProperty("id").GetString();
        const string Update = "mutation($id: ID!, $name: String!, $version: Long!) { updateProduct(id: $id, input: { sku: \"MUG-1\", name: $name, price: 6 }, version: $version) { name version } }";

        var first = (await client.QueryAsync(Update, new { id, name = "Big mug", version = 1 })).GetProperty("updateProduct");
        Assert.Equal(2, first.GetProperty("version").GetInt64());

        var stale = await (await client.PostGraphQLAsync(Update, new { id, name = "Tiny mug", version = 1 })).ReadGraphQLAsync(HttpStatusCode.OK);
        stale.SingleError("concurrency_conflict");

        var missing = await (await client.PostGraphQLAsync(Update, new { id = "987654", name = "Ghost", version = 1 })).ReadGraphQLAsync(HttpStatusCode.OK);
        missing.SingleError("not_found");

        var read = (await client.QueryAsync("query($id: ID!) { product(id: $id) { name version } }", new { id })).GetProperty("product");
        Assert.Equal("Big mug", read.GetProperty("name").GetString());
        Assert.Equal(2, read.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_duplicate_sku_is_a_duplicate_key_error_and_logs_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();
        const string Create = "mutation($name: String!) { createProduct(input: { sku: \"DUP-1\", name: $name, price: 1 }) { id } }";
        await client.QueryAsync(Create, new { name = "One" });

        var again = await (await client.PostGraphQLAsync(Create, new { name = "Two" })).ReadGraphQLAsync(HttpStatusCode.OK);

        again.SingleError("duplicate_key");
        errors.AssertEmpty();
    }

    [Fact]
    public async Task A_query_deeper_than_the_limit_is_refused_before_execution()
    {
        var commands = new CommandCounter();
        await using var api = await ApiFactory.StartAsync(
            environment,
            services => services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(commands)),
            new Dictionary<string, string?> { ["GraphQL:MaxDepth"] = "4" });
        using var client = api.CreateClient();

        // products > edges > node > sales > quantity: 5 levels against a limit of 4.
        commands.Reset();
        var body = await (await client.PostGraphQLAsync("{ products { edges { node { sales { quantity } } } } }")).ReadGraphQLAsync(HttpStatusCode.BadRequest);

        var error = body.SingleError("query_too_deep");
        Assert.Contains("the limit (GraphQL:MaxDepth) is 4", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
        Assert.Empty(commands.Texts);

        // One level less (products > nodes > sales > quantity) passes the same limit.
        await client.QueryAsync("{ products { nodes { sales { quantity } } } }");
    }

    [Fact]
    public async Task A_query_wider_than_the_complexity_limit_is_refused_before_execution()
    {
        var commands = new CommandCounter();
        await using var api = await ApiFactory.StartAsync(environment, services =>
            services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(commands)));
        using var client = api.CreateClient();

        // 100 products with 100 sales each, asked for 10 times over: far past the default limit.
        var aliases = string.Join(" ", Enumerable.Range(0, 10).Select(i => $"p{i}: products(first: 100) {{ nodes {{ id sales(last: 100) {{ quantity unitPrice occurredAt }} }} }}"));
        commands.Reset();
        var body = await (await client.PostGraphQLAsync($"{{ {aliases} }}")).ReadGraphQLAsync(HttpStatusCode.BadRequest);

        var error = body.SingleError("query_too_complex");
        Assert.Contains("the limit (GraphQL:MaxComplexity) is 5000", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
        Assert.Empty(commands.Texts);
    }

    /// <summary>Records the SQL of every command the app's DbContext runs.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private readonly List<string> _texts = [];

        public IReadOnlyList<string> Texts
        {
            get
            {
                lock (_texts)
                {
                    return [.. _texts];
                }
            }
        }

        public void Reset()
        {
            lock (_texts)
            {
                _texts.Clear();
            }
        }

        public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override InterceptionResult<System.Data.Common.DbDataReader> ReaderExecuting(
            System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result)
        {
            Record(command);
            return base.ReaderExecuting(command, eventData, result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void Record(System.Data.Common.DbCommand command)
        {
            lock (_texts)
            {
                _texts.Add(command.CommandText);
            }
        }
    }
}
