using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Tests.Cards;

public sealed class CdsResponseValidatorTests
{
    /// <summary>A card that uses every attribute the validator checks, all valid.</summary>
    internal static Card ValidCard(string uuid = "2b3c4d5e-0000-4000-8000-000000000001") => new()
    {
        Uuid = uuid,
        Summary = "CRS grade 3 (ASTCT): norepinephrine + fever 39.5 °C",
        Detail = "**ASTCT CRS grade: 3**",
        Indicator = CardIndicator.Critical,
        Source = new CardSource { Label = "CarTCds", Url = "https://doi.org/10.1016/j.bbmt.2018.12.758" },
        Suggestions =
        [
            new Suggestion
            {
                Label = "Order tocilizumab",
                Uuid = "2b3c4d5e-0000-4000-8000-000000000002",
                Actions = [new CdsAction { Type = "create", Description = "Add tocilizumab order", Resource = new MedicationRequest { Status = "draft" } }],
            },
        ],
        SelectionBehavior = "at-most-one",
        OverrideReasons = [new Coding("http://cartcds.org/fhir/CodeSystem/cartcds-override-reason", "already-managed", "Already managed")],
        Links = [new Link { Label = "ASTCT", Url = "https://doi.org/10.1016/j.bbmt.2018.12.758", Type = "absolute" }],
        Extension = new CardExtension
        {
            Findings = [new FindingRecord { Code = "crs-grade", Value = FindingValue.Of(3), RuleSet = "astct-2019@1.0.0" }],
        },
    };

    internal static CdsResponse ValidResponse() => new()
    {
        Cards = [ValidCard()],
        SystemActions = [new CdsAction { Type = "delete", Description = "Remove the draft", ResourceId = "MedicationRequest/draft-1" }],
    };

    private static Card Card0(CdsResponse r) => r.Cards[0];

    private static CdsAction Action0(CdsResponse r) => r.Cards[0].Suggestions![0].Actions![0];

    private static readonly Dictionary<string, Action<CdsResponse>> Breaks = new()
    {
        ["missing uuid"] = r => Card0(r).Uuid = null,
        ["blank uuid"] = r => Card0(r).Uuid = "  ",
        ["duplicate uuid"] = r => r.Cards.Add(ValidCard(Card0(r).Uuid!)),
        ["empty summary"] = r => Card0(r).Summary = "",
        ["summary of 140 chars"] = r => Card0(r).Summary = new string('x', 140),
        ["empty detail string"] = r => Card0(r).Detail = "",
        ["bad indicator"] = r => Card0(r).Indicator = "hard-stop",
        ["missing source.label"] = r => Card0(r).Source.Label = "",
        ["relative source.url"] = r => Card0(r).Source.Url = "/about/cartcds",
        ["suggestions without selectionBehavior"] = r => Card0(r).SelectionBehavior = null,
        ["unknown selectionBehavior"] = r => Card0(r).SelectionBehavior = "all",
        ["selectionBehavior without suggestions"] = r => Card0(r).Suggestions = null,
        ["empty suggestions list"] = r => Card0(r).Suggestions = [],
        ["suggestion without label"] = r => Card0(r).Suggestions![0].Label = "",
        ["suggestion without uuid"] = r => Card0(r).Suggestions![0].Uuid = null,
        ["suggestion with empty actions"] = r => Card0(r).Suggestions![0].Actions = [],
        ["action type replace"] = r => Action0(r).Type = "replace",
        ["action without description"] = r => Action0(r).Description = "",
        ["create without resource"] = r => Action0(r).Resource = null,
        ["update without resource"] = r => { Action0(r).Type = "update"; Action0(r).Resource = null; },
        ["delete without resourceId"] = r => Action0(r).Type = "delete",
        ["override reason missing display"] = r => Card0(r).OverrideReasons![0].Display = null,
        ["override reason missing system"] = r => Card0(r).OverrideReasons![0].System = null,
        ["empty overrideReasons list"] = r => Card0(r).OverrideReasons = [],
        ["link without label"] = r => Card0(r).Links![0].Label = "",
        ["link with relative url"] = r => Card0(r).Links![0].Url = "guide/crs.html",
        ["link type web"] = r => Card0(r).Links![0].Type = "web",
        ["appContext on an absolute link"] = r => Card0(r).Links![0].AppContext = "{\"patient\":\"p1\"}",
        ["empty links list"] = r => Card0(r).Links = [],
        ["finding without code"] = r => Card0(r).Extension!.Findings![0].Code = "",
        ["finding without ruleSet"] = r => Card0(r).Extension!.Findings![0].RuleSet = " ",
        ["empty systemActions"] = r => r.SystemActions = [],
        ["system action without description"] = r => r.SystemActions![0].Description = "",
        ["cards null"] = r => r.Cards = null!,
    };

    [Theory]
    [InlineData("missing uuid", "cards[0].uuid: required (feedback refers to it)")]
    [InlineData("blank uuid", "cards[0].uuid: required (feedback refers to it)")]
    [InlineData("duplicate uuid", "cards[1].uuid: duplicate '2b3c4d5e-0000-4000-8000-000000000001'")]
    [InlineData("empty summary", "cards[0].summary: required")]
    [InlineData("summary of 140 chars", "cards[0].summary: 140 characters; must be < 140")]
    [InlineData("empty detail string", "cards[0].detail: empty string; leave it out")]
    [InlineData("bad indicator", "cards[0].indicator: 'hard-stop' is not info, warning or critical")]
    [InlineData("missing source.label", "cards[0].source.label: required")]
    [InlineData("relative source.url", "cards[0].source.url: must be an absolute URL")]
    [InlineData("suggestions without selectionBehavior", "cards[0].selectionBehavior: required with suggestions, 'at-most-one' or 'any'")]
    [InlineData("unknown selectionBehavior", "cards[0].selectionBehavior: required with suggestions, 'at-most-one' or 'any'")]
    [InlineData("selectionBehavior without suggestions", "cards[0].selectionBehavior: only allowed with suggestions")]
    [InlineData("empty suggestions list", "cards[0].suggestions: empty array; leave it out")]
    [InlineData("suggestion without label", "cards[0].suggestions[0].label: required")]
    [InlineData("suggestion without uuid", "cards[0].suggestions[0].uuid: required (acceptedSuggestions refers to it)")]
    [InlineData("suggestion with empty actions", "cards[0].suggestions[0].actions: empty array; leave it out")]
    [InlineData("action type replace", "cards[0].suggestions[0].actions[0].type: 'replace' is not create, update or delete")]
    [InlineData("action without description", "cards[0].suggestions[0].actions[0].description: required")]
    [InlineData("create without resource", "cards[0].suggestions[0].actions[0].resource: required for create")]
    [InlineData("update without resource", "cards[0].suggestions[0].actions[0].resource: required for update")]
    [InlineData("delete without resourceId", "cards[0].suggestions[0].actions[0].resourceId: required for delete")]
    [InlineData("override reason missing display", "cards[0].overrideReasons[0]: system, code and display are required")]
    [InlineData("override reason missing system", "cards[0].overrideReasons[0]: system, code and display are required")]
    [InlineData("empty overrideReasons list", "cards[0].overrideReasons: empty array; leave it out")]
    [InlineData("link without label", "cards[0].links[0].label: required")]
    [InlineData("link with relative url", "cards[0].links[0].url: must be an absolute URL")]
    [InlineData("link type web", "cards[0].links[0].type: 'web' is not absolute or smart")]
    [InlineData("appContext on an absolute link", "cards[0].links[0].appContext: only for smart links")]
    [InlineData("empty links list", "cards[0].links: empty array; leave it out")]
    [InlineData("finding without code", "cards[0].extension.findings[0].code: required")]
    [InlineData("finding without ruleSet", "cards[0].extension.findings[0].ruleSet: required")]
    [InlineData("empty systemActions", "systemActions: empty array; leave it out")]
    [InlineData("system action without description", "systemActions[0].description: required")]
    [InlineData("cards null", "cards: required (send [] for no guidance)")]
    public void GivenAValidResponseWithOneRuleBroken_WhenValidated_ThenExactlyThatViolationIsReportedAtItsLocation(string broken, string expected)
    {
        var response = ValidResponse();
        Breaks[broken](response);

        var violations = CdsResponseValidator.Validate(response);

        Assert.Equal([expected], violations);
    }

    [Fact]
    public void GivenTheRuleTable_WhenEveryRowIsListed_ThenNoBreakIsLeftUntested()
    {
        // Each entry of Breaks must be used by an InlineData row above.
        var rows = typeof(CdsResponseValidatorTests)
            .GetMethod(nameof(GivenAValidResponseWithOneRuleBroken_WhenValidated_ThenExactlyThatViolationIsReportedAtItsLocation))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]).ToHashSet();

        Assert.All(Breaks.Keys, k => Assert.Contains(k, rows));
    }

    [Fact]
    public void GivenAValidResponse_WhenValidated_ThenNoViolation()
    {
        Assert.Empty(CdsResponseValidator.Validate(ValidResponse()));
    }

    [Fact]
    public void GivenAnEmptyResponse_WhenValidated_ThenNoViolation()
    {
        Assert.Empty(CdsResponseValidator.Validate(new CdsResponse { Cards = [] }));
    }

    [Fact]
    public void GivenASummaryOf139Characters_WhenValidated_ThenAccepted()
    {
        var response = ValidResponse();
        response.Cards[0].Summary = new string('x', 139);

        Assert.Empty(CdsResponseValidator.Validate(response));
    }

    [Fact]
    public void GivenASmartLinkWithAppContext_WhenValidated_ThenAccepted()
    {
        var response = ValidResponse();
        response.Cards[0].Links = [new Link { Label = "Open the CRS app", Url = "https://apps.example.org/launch", Type = "smart", AppContext = "crs" }];

        Assert.Empty(CdsResponseValidator.Validate(response));
    }

    [Theory]
    [InlineData("any")]
    [InlineData("at-most-one")]
    public void GivenEitherSelectionBehavior_WhenValidated_ThenAccepted(string behavior)
    {
        var response = ValidResponse();
        response.Cards[0].SelectionBehavior = behavior;

        Assert.Empty(CdsResponseValidator.Validate(response));
    }

    [Fact]
    public void GivenTwoBrokenCards_WhenValidated_ThenEachViolationNamesItsOwnCard()
    {
        var response = ValidResponse();
        response.Cards.Add(ValidCard("2b3c4d5e-0000-4000-8000-0000000000ff"));
        response.Cards[0].Summary = "";
        response.Cards[1].Indicator = "";

        var violations = CdsResponseValidator.Validate(response);

        Assert.Equal(["cards[0].summary: required", "cards[1].indicator: '' is not info, warning or critical"], violations);
    }
}
