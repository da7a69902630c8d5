using System.Text.Json.Serialization;
using CarTCds.Fhir.Model;

namespace CarTCds.Hooks.Contract;

/// <summary>https://cds-hooks.hl7.org/2.0/#cds-service-response. <c>{"cards":[]}</c> means
/// "no guidance"; every other optional field is left out when empty.</summary>
public sealed class CdsResponse
{
    public List<Card> Cards { get; set; } = [];
    public List<CdsAction>? SystemActions { get; set; }
}

/// <summary>https://cds-hooks.hl7.org/2.0/#card-attributes</summary>
public sealed class Card
{
    public string? Uuid { get; set; }
    public string Summary { get; set; } = "";
    public string? Detail { get; set; }
    public string Indicator { get; set; } = CardIndicator.Info;
    public CardSource Source { get; set; } = new();
    public List<Suggestion>? Suggestions { get; set; }
    public string? SelectionBehavior { get; set; }
    public List<Coding>? OverrideReasons { get; set; }
    public List<Link>? Links { get; set; }

    /// <summary>CDS Hooks extension; we put the machine-readable findings under
    /// <c>org.cartcds.findings</c>.</summary>
    public CardExtension? Extension { get; set; }
}

public static class CardIndicator
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";

    public static bool IsValid(string? value) => value is Info or Warning or Critical;

    /// <summary>How urgent an indicator is: critical 2, warning 1, info (or anything else) 0. Cards are
    /// answered most urgent first (docs/CDS-HOOKS.md "Cards we answer").</summary>
    public static int Urgency(string? value) => value switch { Critical => 2, Warning => 1, _ => 0 };
}

public sealed class CardSource
{
    public string Label { get; set; } = "";
    public string? Url { get; set; }
    public string? Icon { get; set; }
    public Coding? Topic { get; set; }
}

public sealed class Suggestion
{
    public string Label { get; set; } = "";
    public string? Uuid { get; set; }
    public bool? IsRecommended { get; set; }
    public List<CdsAction>? Actions { get; set; }
}

/// <summary>https://cds-hooks.hl7.org/2.0/#action</summary>
public sealed class CdsAction
{
    /// <summary><c>create</c>, <c>update</c> or <c>delete</c>.</summary>
    public string Type { get; set; } = "";
    public string Description { get; set; } = "";
    public Resource? Resource { get; set; }
    public string? ResourceId { get; set; }
}

public sealed class Link
{
    public string Label { get; set; } = "";
    public string Url { get; set; } = "";

    /// <summary><c>absolute</c> or <c>smart</c>.</summary>
    public string Type { get; set; } = "absolute";
    public string? AppContext { get; set; }
}

/// <summary>The card's <c>extension</c> object.</summary>
public sealed class CardExtension
{
    [JsonPropertyName("org.cartcds.findings")]
    public List<FindingRecord>? Findings { get; set; }
}

/// <summary>One machine-readable finding (docs/ARCHITECTURE.md "Interfaces"):
/// <c>{"code":"crs-grade","value":3,"ruleSet":"astct-2019@1.0.0","evidence":["Observation/obs-17"]}</c>.</summary>
public sealed class FindingRecord
{
    /// <summary><c>crs-grade</c>, <c>crs-grade-lee2014</c>, <c>crs-grade-penn</c>, <c>crs-grade-ctcae5</c>, <c>icans-grade</c>,
    /// <c>iec-hs</c>, <c>eligibility</c> (tisagenlecleucel), <c>eligibility-tisagenlecleucel</c>, <c>eligibility-brexucabtagene-autoleucel</c>,
    /// <c>eligibility-obecabtagene-autoleucel</c>, <c>tocilizumab-dose-mg</c>, <c>order-check</c>, <c>infusion-record</c>
    /// (<c>not-usable</c>: the CAR-T infusion records left out, as evidence).</summary>
    public string Code { get; set; } = "";

    /// <summary>A number (grades, doses) or a string (<c>not-gradable</c>, <c>eligible</c>, …).</summary>
    public FindingValue Value { get; set; }

    public string RuleSet { get; set; } = "";
    public List<string>? Evidence { get; set; }
    public List<string>? Reasons { get; set; }
    public List<string>? Missing { get; set; }
}
