using Microsoft.Playwright;

namespace CarTCds.Browser.Tests;

/// <summary>One browser page on the sandbox, with every console error and page error it raised.
/// Waits on DOM state (Playwright's auto-waiting locators), never on sleeps; timeouts are generous
/// for a loaded 2-core machine.</summary>
public sealed class SandboxPage : IAsyncDisposable
{
    public const float TimeoutMs = 30_000;

    private readonly IBrowserContext _context;

    private SandboxPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") Errors.Add("console: " + message.Text);
        };
        page.PageError += (_, error) => Errors.Add("page error: " + error);
    }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    public static async Task<SandboxPage> OpenAsync(SandboxHost host, int width = 1280, int height = 800)
    {
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(TimeoutMs);
        var page = await context.NewPageAsync();
        var sandbox = new SandboxPage(context, page);
        Assertions.SetDefaultExpectTimeout(TimeoutMs);
        await page.GotoAsync(new Uri(host.BaseAddress, "/sandbox").ToString());
        await page.Locator("body[data-ready='true']").WaitForAsync();
        return sandbox;
    }

    /// <summary>Chooses a patient and a day, then waits until the header shows them.</summary>
    public async Task ChooseAsync(string patientId, int day)
    {
        await Page.Locator("#patient").SelectOptionAsync(patientId);
        await Assertions.Expect(Page.Locator("#patient-header")).ToContainTextAsync(patientId);
        await Page.Locator("#day").SelectOptionAsync(day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(Page.Locator("#patient-header")).ToContainTextAsync($"day {day}");
    }

    /// <summary>Sets exactly these draft orders.</summary>
    public async Task OrdersAsync(params string[] names)
    {
        foreach (var box in await Page.Locator("#orders input[type=checkbox]").AllAsync())
        {
            var value = await box.GetAttributeAsync("value");
            await box.SetCheckedAsync(Array.IndexOf(names, value) >= 0);
        }
    }

    /// <summary>Fires a hook and waits for its answer (the status line names the service).</summary>
    public async Task FireAsync(string hook)
    {
        await Page.Locator($"#fire-{hook}").ClickAsync();
        await Assertions.Expect(Page.Locator("#status")).ToContainTextAsync("card(s) for");
    }

    /// <summary>The card whose summary contains <paramref name="summary"/>.</summary>
    public ILocator Card(string summary) =>
        Page.Locator("article.card").Filter(new LocatorFilterOptions { Has = Page.Locator(".card-summary", new PageLocatorOptions { HasText = summary }) });

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
