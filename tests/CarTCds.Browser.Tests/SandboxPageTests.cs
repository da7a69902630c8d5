using System.Net.Http.Json;
using System.Text.Json;
using CarTCds.Service.Sandbox;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CarTCds.Browser.Tests;

/// <summary>The sandbox page in real Chromium against the real service (issue 7).</summary>
[Collection(SandboxBrowserCollection.Name)]
public sealed class SandboxPageTests(SandboxHost host)
{
    // The indicator colours of sandbox.css (--critical, --warning, --info) as the browser computes them.
    private static readonly Dictionary<string, string> IndicatorColours = new(StringComparer.Ordinal)
    {
        ["critical"] = "rgb(183, 28, 28)",
        ["warning"] = "rgb(230, 81, 0)",
        ["info"] = "rgb(13, 71, 161)",
    };

    [Fact]
    public async Task GivenTheSandboxPage_WhenLoaded_ThenTheSeedJourneysDraftOrdersAndTimelineShowWithoutConsoleErrors()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        var page = sandbox.Page;

        var patients = await page.Locator("#patient option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        var orders = await page.Locator("#orders input").EvaluateAllAsync<string[]>("is => is.map(i => i.value)");

        Assert.Equal(["cart-p1-post-sct-relapse", "cart-p2-cns-relapse", "cart-p3-primary-refractory", "cart-p4-down-syndrome"], patients.Take(4));
        Assert.Equal(["car-t-referral", "dexamethasone-10mg", "tisagenlecleucel", "tocilizumab-400mg"], orders);
        await Expect(page.Locator("#patient-header")).ToContainTextAsync("Synthetic Patient One");
        await Expect(page.Locator("#timeline svg g.day")).ToHaveCountAsync(15);
        Assert.Empty(sandbox.Errors);
    }

    [Theory]
    [InlineData("cart-p1-post-sct-relapse", 5, "CRS grade 4 (ASTCT), day 5", "critical")]
    [InlineData("cart-p2-cns-relapse", 4, "ICANS grade 2 (ASTCT), day 4", "warning")]
    [InlineData("cart-p2-cns-relapse", 4, "CRS grade 1 (ASTCT), day 4", "info")]
    [InlineData("cart-p3-primary-refractory", 3, "CRS grade 1 (ASTCT), day 3", "info")]
    [InlineData("cart-p4-down-syndrome", 8, "ICANS grade 3 (ASTCT), day 8", "critical")]
    public async Task GivenASeedJourneyDay_WhenPatientViewFires_ThenTheCardShowsItsSummaryInItsIndicatorColour(string patient, int day, string summary, string indicator)
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync(patient, day);

        await sandbox.FireAsync("patient-view");

        var card = sandbox.Card(summary);
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToHaveAttributeAsync("data-indicator", indicator);
        await Expect(card.Locator(".indicator")).ToHaveTextAsync(indicator);
        Assert.Equal(IndicatorColours[indicator], await card.EvaluateAsync<string>("c => getComputedStyle(c).borderLeftColor"));
        await Expect(card.Locator(".card-source a")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^https://"));
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenP1OnDay5_WhenOrderSignFiresWithTocilizumabAndDexamethasone_ThenBothOrdersAreChecked()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", 5);
        await sandbox.OrdersAsync("tocilizumab-400mg", "dexamethasone-10mg");

        await sandbox.FireAsync("order-sign");

        await Expect(sandbox.Card("Tocilizumab 400 mg: checked")).ToHaveAttributeAsync("data-indicator", "info");
        await Expect(sandbox.Card("Dexamethasone 10 mg: checked")).ToHaveAttributeAsync("data-indicator", "info");
        await Expect(sandbox.Page.Locator("#request-url")).ToHaveTextAsync("POST /cds-services/cart-order-check");
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenP1BeforeInfusion_WhenOrderSelectFiresWithACarTReferral_ThenTheEligibilityCardSaysEligible()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", -7);
        await sandbox.OrdersAsync("car-t-referral");

        await sandbox.FireAsync("order-select");

        await Expect(sandbox.Card("Meets the tisagenlecleucel label indication")).ToHaveAttributeAsync("data-indicator", "info");
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenAnOrderHookWithoutDraftOrders_WhenFired_ThenThePageSaysSoAndCallsNothing()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.OrdersAsync();

        await sandbox.Page.Locator("#fire-order-sign").ClickAsync();

        await Expect(sandbox.Page.Locator("#status")).ToHaveTextAsync("Choose at least one draft order for order-sign.");
        await Expect(sandbox.Page.Locator("#request-json")).ToHaveTextAsync("");
    }

    [Fact]
    public async Task GivenTheCrsCard_WhenItsTocilizumabSuggestionIsAccepted_ThenTheMedicationRequestShowsAndTheFeedbackIsStored()
    {
        var before = await SummaryLineAsync("cart-toxicity", "crs-grade");
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", 5);
        await sandbox.FireAsync("patient-view");
        var card = sandbox.Card("CRS grade 4 (ASTCT), day 5");

        await card.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Order tocilizumab 416 mg IV" }).ClickAsync();

        await Expect(card.Locator(".card-outcome")).ToContainTextAsync("feedback sent");
        var created = await card.Locator("pre.created").TextContentAsync();
        using var resource = JsonDocument.Parse(created!);
        Assert.Equal("MedicationRequest", resource.RootElement.GetProperty("resourceType").GetString());
        Assert.Contains("tocilizumab", created, StringComparison.OrdinalIgnoreCase);
        var row = sandbox.Page.Locator("#feedback-table tr[data-service='cart-toxicity'][data-card-type='crs-grade']");
        await Expect(row.Locator(".fb-accepted")).ToHaveTextAsync(((before?.Accepted ?? 0) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var after = await SummaryLineAsync("cart-toxicity", "crs-grade");
        Assert.Equal((before?.Accepted ?? 0) + 1, after!.Accepted);
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenTheIcansCard_WhenOverriddenWithAReason_ThenTheStoredFeedbackCountsTheOverrideAndItsReason()
    {
        var before = await SummaryLineAsync("cart-toxicity", "icans-grade");
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p4-down-syndrome", 8);
        await sandbox.FireAsync("patient-view");
        var card = sandbox.Card("ICANS grade 3 (ASTCT), day 8");

        await card.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Override…" }).ClickAsync();
        await card.Locator("select.override-reason").SelectOptionAsync(new SelectOptionValue { Label = "Clinical assessment differs" });
        await card.Locator("input.override-comment").FillAsync("seizure was febrile, per neurology");
        await card.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Send override" }).ClickAsync();

        await Expect(card.Locator(".card-outcome")).ToContainTextAsync("Overridden: Clinical assessment differs · feedback sent");
        var row = sandbox.Page.Locator("#feedback-table tr[data-service='cart-toxicity'][data-card-type='icans-grade']");
        await Expect(row.Locator(".fb-reasons")).ToContainTextAsync("Clinical assessment differs");
        var after = await SummaryLineAsync("cart-toxicity", "icans-grade");
        Assert.Equal((before?.Overridden ?? 0) + 1, after!.Overridden);
        Assert.Contains(after.TopOverrideReasons, r => r.Code == "clinical-judgement");
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenP1_WhenTheTimelineIsDrawn_ThenEachDayCarriesTheServicesGradesAndDoseMarkersAndAScreenshotIsSaved()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", 5);
        var day5 = sandbox.Page.Locator("#timeline g.day[data-day='5']");

        var path = Path.Combine(SandboxHost.ArtifactsFolder, "timeline-cart-p1-day5.png");
        var png = await sandbox.Page.Locator("#timeline").ScreenshotAsync(new LocatorScreenshotOptions { Path = path });

        // Day 5: CRS 4 (BiPAP + norepinephrine + fever), ICANS 0, tocilizumab and methylprednisolone given.
        await Expect(day5.Locator("rect.grade").First).ToHaveAttributeAsync("data-grade", "4");
        await Expect(day5.Locator("rect.grade").Nth(1)).ToHaveAttributeAsync("data-grade", "0");
        await Expect(day5.Locator("text.dose-toci")).ToHaveCountAsync(1);
        await Expect(day5.Locator("text.dose-steroid")).ToHaveCountAsync(1);
        await Expect(day5.Locator("text.vaso")).ToHaveCountAsync(1);
        await Expect(sandbox.Page.Locator("#timeline g.day[data-day='0'] text.vaso")).ToHaveCountAsync(0);
        Assert.True(png.Length > 10_000, $"timeline screenshot is {png.Length} bytes");
        Assert.True(File.Exists(path));
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenTheTimeline_WhenADayIsClicked_ThenThatDayIsChosen()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", 5);

        await sandbox.Page.Locator("#timeline g.day[data-day='8'] rect.day-bg").ClickAsync();

        await Expect(sandbox.Page.Locator("#day")).ToHaveValueAsync("8");
        await Expect(sandbox.Page.Locator("#header-grades")).ToHaveTextAsync("CRS 2 · ICANS 0 (day 8)");
        await Expect(sandbox.Page.Locator("#timeline g.day.selected")).ToHaveAttributeAsync("data-day", "8");
    }

    [Fact]
    public async Task GivenAHookCall_WhenTheIntegratorPanelIsOpened_ThenItShowsTheExactRequestAndResponse()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", 5);
        await sandbox.FireAsync("patient-view");

        await sandbox.Page.Locator("#integrator summary").ClickAsync();

        await Expect(sandbox.Page.Locator("#request-url")).ToHaveTextAsync("POST /cds-services/cart-toxicity");
        await Expect(sandbox.Page.Locator("#response-status")).ToHaveTextAsync("(200)");
        using var request = JsonDocument.Parse((await sandbox.Page.Locator("#request-json").TextContentAsync())!);
        using var response = JsonDocument.Parse((await sandbox.Page.Locator("#response-json").TextContentAsync())!);
        Assert.Equal("patient-view", request.RootElement.GetProperty("hook").GetString());
        Assert.Equal("cart-p1-post-sct-relapse", request.RootElement.GetProperty("context").GetProperty("patientId").GetString());
        Assert.True(request.RootElement.GetProperty("prefetch").GetProperty("observations").GetProperty("entry").GetArrayLength() > 100);
        var shown = await sandbox.Page.Locator("article.card").CountAsync();
        Assert.Equal(response.RootElement.GetProperty("cards").GetArrayLength(), shown);
    }

    [Fact]
    public async Task GivenOnlyAKeyboard_WhenTabbingToTheHookButtonAndPressingEnter_ThenCardsAppear()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);
        var page = sandbox.Page;

        await page.Locator("#patient").FocusAsync();
        var reached = false;
        for (var i = 0; i < 10 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<bool>("() => document.activeElement?.id === 'fire-patient-view'");
        }
        Assert.True(reached, "Tab never reached the patient-view button");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#status")).ToContainTextAsync("card(s) for day");
        Assert.True(await page.Locator("article.card").CountAsync() > 0);
        var outline = await page.Locator("#fire-patient-view").EvaluateAsync<string>("b => getComputedStyle(b).outlineStyle");
        Assert.Equal("solid", outline);
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task GivenAScreenSize_WhenTheCardsAndTimelineShow_ThenNothingOverflowsTheWidth(int width, int height)
    {
        await using var sandbox = await SandboxPage.OpenAsync(host, width, height);
        await sandbox.ChooseAsync("cart-p1-post-sct-relapse", 5);
        await sandbox.FireAsync("patient-view");

        var overflow = await sandbox.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        var wide = await sandbox.Page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)");
        var button = await sandbox.Page.Locator("#fire-order-sign").BoundingBoxAsync();
        await sandbox.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SandboxHost.ArtifactsFolder, $"sandbox-{width}x{height}.png"), FullPage = true });

        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the {width} px viewport; too wide: {string.Join(", ", wide)}");
        Assert.True(button!.X >= 0 && button.X + button.Width <= width, $"the order-sign button spans {button.X}..{button.X + button.Width} in a {width} px viewport");
        Assert.Empty(sandbox.Errors);
    }

    [Fact]
    public async Task GivenHostileMarkdown_WhenRendered_ThenItIsEscapedAndOnlyHttpLinksBecomeLinks()
    {
        await using var sandbox = await SandboxPage.OpenAsync(host);

        var html = await sandbox.Page.EvaluateAsync<string>(
            "async () => (await import('./markdown.js')).renderMarkdown('<img src=x onerror=alert(1)> **bold**\\n\\n- [ok](https://example.org)\\n- [bad](javascript:alert(1))\\n\\n| a | b |\\n|---|---|\\n| <b>1</b> | 2 |')");

        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("<th>a</th><th>b</th></tr></thead><tbody><tr><td>&lt;b&gt;1&lt;/b&gt;</td><td>2</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenMarkupThatSlippedPastEscaping_WhenInsertedIntoThePage_ThenItsContentSecurityPolicyBlocksTheInlineHandler()
    {
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await http.GetAsync(new Uri("/sandbox/", UriKind.Relative));
        Assert.Equal(SandboxEndpoints.PageContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        await using var sandbox = await SandboxPage.OpenAsync(host);

        // An inline handler is what a markdown or escaping bug would let through; the policy must stop it.
        var blocked = await sandbox.Page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              document.addEventListener("securitypolicyviolation", e => resolve(e.violatedDirective), { once: true });
              // The handler of an image that fails at once runs at once without a policy: no need to wait longer.
              setTimeout(() => resolve("no violation"), 5000);
              const div = document.createElement("div");
              div.innerHTML = '<img src="data:," onerror="window.__injected = 1">';
              document.body.append(div);
            })
            """);
        var injected = await sandbox.Page.EvaluateAsync<bool>("() => window.__injected === 1");

        Assert.StartsWith("script-src", blocked, StringComparison.Ordinal);
        Assert.False(injected);
    }

    private async Task<SummaryLine?> SummaryLineAsync(string service, string cardType)
    {
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var summary = await http.GetFromJsonAsync<Summary>("/admin/feedback/summary", JsonSerializerOptions.Web);
        return summary!.CardTypes.FirstOrDefault(l => l.Service == service && l.CardType == cardType);
    }

    private sealed record Summary(List<SummaryLine> CardTypes);

    private sealed record SummaryLine(string Service, string? CardType, long Accepted, long Overridden, List<Reason> TopOverrideReasons);

    private sealed record Reason(string? Code, string? Display, long Count);
}
