using System.Text.Json;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>The REST catalogue from a page signed in with a passkey: present when the solution serves REST.</summary>
public sealed partial class PasskeyBrowserTests
{
    [Fact]
    public async Task A_page_signed_in_with_a_passkey_writes_with_its_cookie_and_owns_what_it_creates()
    {
        await using var tab = await chromium.OpenTabAsync();
        var (context, page) = (tab.Context, tab.Page);
        await using var api = await ApiFactory.StartAsync(environment);
        var origin = KestrelApp.Serve(api, KestrelApp.FreePorts(1))[0];
        await VirtualAuthenticator.AttachAsync(context, page);

        await page.GotoAsync($"{origin}/account/index.html");
        await SignUpAsync(page, "ada@example.test");

        // The cookie alone opens the protected endpoints, from the page's own context.
        var me = await page.EvaluateAsync<JsonElement>("async () => (await fetch('/api/auth/me')).json()");
        var created = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const response = await fetch('/api/products', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ sku: 'PASSKEY-1', name: 'Made with a passkey', price: 12.5 }),
              });
              return { status: response.status, body: await response.json() };
            }
            """);
        Assert.Equal(201, created.GetProperty("status").GetInt32());
        var product = created.GetProperty("body").GetProperty("data");
        Assert.Equal("PASSKEY-1", product.GetProperty("sku").GetString());
        Assert.Equal(12.5m, product.GetProperty("price").GetDecimal());
        Assert.Equal(me.GetProperty("data").GetProperty("id").GetString(), product.GetProperty("ownerId").GetString());
    }
}
