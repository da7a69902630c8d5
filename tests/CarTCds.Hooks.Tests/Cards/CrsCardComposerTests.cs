using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Prefetch;
using CarTCds.Hooks.Tests.TestSupport;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Tests.Cards;

public sealed class CrsCardComposerTests
{
    private static readonly DateTimeOffset Now = FhirData.Now;

    private static readonly Evidence FeverEvidence = new("Observation/temp-1", Now.AddHours(-2), "temperature 39.5 °C (fever ≥ 38 °C)");
    private static readonly Evidence PressorEvidence = new("MedicationAdministration/norepi-1", Now.AddHours(-3), "norepinephrine running from 2013-05-19 09:00Z");

    private static CrsAssessment Assessment(
        int? grade,
        IReadOnlyList<string>? drivers = null,
        string fever = "fever 39.5 °C",
        CrsDomainFinding? hypotension = null,
        CrsDomainFinding? hypoxia = null,
        IReadOnlyList<Evidence>? evidence = null,
        IReadOnlyList<string>? missing = null,
        IReadOnlyList<string>? notes = null) =>
        new(grade, Now.AddHours(-24), Now,
            new FeverFinding(grade is null ? FeverState.NoTemperature : FeverState.Febrile, fever, [FeverEvidence]),
            hypotension, hypoxia, drivers ?? [], evidence ?? [FeverEvidence], missing ?? [], notes ?? []);

    private static PatientRecord Record(params PrefetchResolution[] resolutions) => new()
    {
        PatientId = FhirData.PatientId,
        Resources = [],
        Resolutions = resolutions,
    };

    private static ClinicalFacts Facts(CarTInfusion[]? infusions = null, ExcludedRecord[]? excluded = null) => new()
    {
        Infusions = infusions ?? [],
        Excluded = excluded ?? [],
    };

    private static Card Compose(CrsAssessment a, ClinicalFacts? facts = null, PatientRecord? record = null, CrsCourse? course = null) =>
        CrsCardComposer.Compose(a, course, facts ?? Facts(), record ?? Record(), RuleSet.Default);

    private static readonly CrsDomainFinding Hypotension = new(2, "hypotension not requiring vasopressors", []);
    private static readonly CrsDomainFinding Hypoxia = new(2, "nasal cannula 2 L/min (low-flow, ≤ 6 L/min)", []);

    [Theory]
    [InlineData(0, CardIndicator.Info)]
    [InlineData(1, CardIndicator.Info)]
    [InlineData(2, CardIndicator.Warning)]
    [InlineData(3, CardIndicator.Critical)]
    [InlineData(4, CardIndicator.Critical)]
    public void GivenAGrade_WhenComposed_ThenItsIndicator(int grade, string indicator)
    {
        var card = Compose(Assessment(grade, grade > 1 ? ["norepinephrine"] : ["fever 39.5 °C"]));

        Assert.Equal(indicator, card.Indicator);
        Assert.Empty(CdsResponseValidator.Validate(new CdsResponse { Cards = [card] }));
    }

    [Theory]
    [InlineData(false, false, CardIndicator.Info)]
    [InlineData(true, false, CardIndicator.Warning)]
    [InlineData(false, true, CardIndicator.Warning)]
    [InlineData(true, true, CardIndicator.Warning)]
    public void GivenNotGradable_WhenComposed_ThenInfoUnlessHypotensionOrHypoxia(bool hypotension, bool hypoxia, string indicator)
    {
        var a = Assessment(null, fever: "no temperature recorded", hypotension: hypotension ? Hypotension : null, hypoxia: hypoxia ? Hypoxia : null,
            missing: ["body temperature (LOINC 8310-5) in the 24 h before evaluation"]);

        var card = Compose(a);

        Assert.Equal(indicator, card.Indicator);
        Assert.Equal("CRS not gradable (ASTCT): no temperature in the last 24 h", card.Summary);
    }

    [Fact]
    public void GivenGrade3ByNorepinephrineAndFever_WhenComposed_ThenTheSummarySaysWhy()
    {
        var card = Compose(Assessment(3, ["norepinephrine"], evidence: [PressorEvidence, FeverEvidence]));

        Assert.StartsWith("CRS grade 3 (ASTCT): norepinephrine + fever 39.5 °C", card.Summary, StringComparison.Ordinal);
        Assert.Equal("CRS grade 3 (ASTCT): norepinephrine + fever 39.5 °C", card.Summary);
    }

    [Fact]
    public void GivenGrade1_WhenComposed_ThenTheSummaryNamesTheFeverOnce()
    {
        var card = Compose(Assessment(1, ["fever 38.2 °C"], fever: "fever 38.2 °C"));

        Assert.Equal("CRS grade 1 (ASTCT): fever 38.2 °C", card.Summary);
    }

    [Fact]
    public void GivenGrade0_WhenComposed_ThenTheSummarySaysNoCrs()
    {
        var card = Compose(Assessment(0, fever: "afebrile (max 37.4 °C)"));

        Assert.Equal("No CRS by ASTCT criteria in the last 24 h (afebrile (max 37.4 °C))", card.Summary);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GivenManyLongDrivers_WhenComposed_ThenTheSummaryStaysUnder140(bool withInfusion)
    {
        var drivers = Enumerable.Range(1, 12).Select(i => $"multiple vasopressors (norepinephrine + epinephrine + dopamine) set {i}").ToList();
        var facts = withInfusion ? Facts([new CarTInfusion(Now.AddDays(-5), "Procedure/cart-1")]) : Facts();

        var card = Compose(Assessment(4, drivers), facts);

        Assert.True(card.Summary.Length < 140, $"{card.Summary.Length}: {card.Summary}");
        // The day comes before the drivers, so cutting the summary never loses it.
        Assert.StartsWith(withInfusion ? "CRS grade 4 (ASTCT), day 5: multiple vasopressors" : "CRS grade 4 (ASTCT): multiple vasopressors", card.Summary, StringComparison.Ordinal);
        Assert.EndsWith("…", card.Summary, StringComparison.Ordinal);
        Assert.Empty(CdsResponseValidator.Validate(new CdsResponse { Cards = [card] }));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void GivenACriticalCard_WhenComposed_ThenOverrideReasonsEachWithSystemCodeDisplay(int grade)
    {
        var card = Compose(Assessment(grade, ["norepinephrine"]));

        Assert.NotNull(card.OverrideReasons);
        Assert.NotEmpty(card.OverrideReasons);
        Assert.All(card.OverrideReasons, r =>
        {
            Assert.Equal(References.OverrideReasonSystem, r.System);
            Assert.False(string.IsNullOrWhiteSpace(r.Code));
            Assert.False(string.IsNullOrWhiteSpace(r.Display));
        });
        Assert.Equal(card.OverrideReasons.Count, card.OverrideReasons.Select(r => r.Code).Distinct().Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void GivenANonCriticalCard_WhenComposed_ThenNoOverrideReasons(int grade)
    {
        var card = Compose(Assessment(grade, ["x"]));

        Assert.Null(card.OverrideReasons);
    }

    [Fact]
    public void GivenNotGradable_WhenComposed_ThenNoOverrideReasons()
    {
        Assert.Null(Compose(Assessment(null, hypotension: Hypotension)).OverrideReasons);
    }

    [Fact]
    public void GivenEvidence_WhenComposed_ThenTheDetailListsEachRecordInATableRow()
    {
        var sbp = new Evidence("Observation/sbp|1", Now.AddHours(-1), "systolic BP 78 mmHg");
        var card = Compose(Assessment(3, ["norepinephrine"], evidence: [PressorEvidence, FeverEvidence, sbp]));

        Assert.Contains("| Time | Finding | Record |", card.Detail, StringComparison.Ordinal);
        Assert.Contains("| 2013-05-19 09:00Z | norepinephrine running from 2013-05-19 09:00Z | MedicationAdministration/norepi-1 |", card.Detail, StringComparison.Ordinal);
        Assert.Contains("| 2013-05-19 10:00Z | temperature 39.5 °C (fever ≥ 38 °C) | Observation/temp-1 |", card.Detail, StringComparison.Ordinal);
        Assert.Contains("| 2013-05-19 11:00Z | systolic BP 78 mmHg | Observation/sbp\\|1 |", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAGrade_WhenComposed_ThenTheDetailNamesGradeWindowAndRuleSet()
    {
        var card = Compose(Assessment(3, ["norepinephrine"]));

        Assert.StartsWith("**ASTCT CRS grade: 3** over 2013-05-18 12:00Z – 2013-05-19 12:00Z.", card.Detail, StringComparison.Ordinal);
        Assert.Contains("Set by: norepinephrine.", card.Detail, StringComparison.Ordinal);
        Assert.Contains("Rule set astct-2019@1.0.0.", card.Detail, StringComparison.Ordinal);
    }

    /// <summary>Infusion day is day 0; the day number counts calendar days (UTC) since, so an
    /// infusion at 23:00 is day 1 at noon the next day. Now is 2013-05-19 12:00Z.</summary>
    [Theory]
    [InlineData(0, 0)]
    [InlineData(11, 0)]
    [InlineData(13, 1)]
    [InlineData(72, 3)]
    [InlineData(24 * 14, 14)]
    public void GivenAKnownInfusion_WhenComposed_ThenDayAfterInfusionIsInSummaryAndDetail(double hoursAgo, int day)
    {
        var facts = Facts([new CarTInfusion(Now.AddHours(-hoursAgo), "Procedure/cart-1")]);

        var card = Compose(Assessment(3, ["norepinephrine"]), facts);

        Assert.StartsWith($"CRS grade 3 (ASTCT), day {day}: ", card.Summary, StringComparison.Ordinal);
        Assert.Contains($"(day {day} after CAR-T infusion)", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenOnlyAFutureInfusion_WhenComposed_ThenNoDay()
    {
        var facts = Facts([new CarTInfusion(Now.AddHours(5), "Procedure/cart-1")]);

        var card = Compose(Assessment(3, ["norepinephrine"]), facts);

        Assert.DoesNotContain("day", card.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("after CAR-T infusion", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTwoInfusions_WhenComposed_ThenTheDayCountsFromTheLatest()
    {
        var facts = Facts([new CarTInfusion(Now.AddDays(-30), "Procedure/cart-1"), new CarTInfusion(Now.AddDays(-2), "Procedure/cart-2")]);

        Assert.StartsWith("CRS grade 2 (ASTCT), day 2: ", Compose(Assessment(2, ["x"]), facts).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAGradedAssessment_WhenComposed_ThenTheFindingCarriesValueEvidenceAndRuleSet()
    {
        var card = Compose(Assessment(3, ["norepinephrine"], evidence: [PressorEvidence, FeverEvidence, FeverEvidence with { Description = "again" }]));

        var f = Assert.Single(card.Extension!.Findings!);
        Assert.Equal("crs-grade", f.Code);
        Assert.Equal(3m, f.Value.Number);
        Assert.Null(f.Value.Text);
        Assert.Equal("astct-2019@1.0.0", f.RuleSet);
        Assert.Equal(["MedicationAdministration/norepi-1", "Observation/temp-1"], f.Evidence);
        Assert.Null(f.Missing);
    }

    [Fact]
    public void GivenNotGradable_WhenComposed_ThenTheFindingValueIsNotGradableWithMissing()
    {
        var card = Compose(Assessment(null, evidence: [], missing: ["body temperature (LOINC 8310-5) in the 24 h before evaluation"]));

        var f = Assert.Single(card.Extension!.Findings!);
        Assert.Equal("not-gradable", f.Value.Text);
        Assert.Null(f.Value.Number);
        Assert.Equal(["body temperature (LOINC 8310-5) in the 24 h before evaluation"], f.Missing);
        Assert.Contains("**Missing**", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenExcludedRecords_WhenComposed_ThenListedUnderLeftOut()
    {
        var facts = Facts(excluded:
        [
            new ExcludedRecord("Observation/t9", "temperature 38 kg: not in Cel or [degF]"),
            new ExcludedRecord("Patient/p1", "birthDate '2001' is not a full date: age-dependent thresholds cannot be applied"),
        ]);

        var card = Compose(Assessment(1, ["fever 39.5 °C"]), facts);

        Assert.Contains("\n**Left out**\n\n- Observation/t9: temperature 38 kg: not in Cel or [degF]\n- Patient/p1: birthDate '2001' is not a full date: age-dependent thresholds cannot be applied\n", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNothingExcluded_WhenComposed_ThenNoLeftOutSection()
    {
        Assert.DoesNotContain("Left out", Compose(Assessment(1, ["fever 39.5 °C"])).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenPrefetchNotes_WhenComposed_ThenTheDataSectionSaysWhereDataCameFrom()
    {
        var record = Record(
            new PrefetchResolution("patient", PrefetchState.Absent, true, null),
            new PrefetchResolution("observations", PrefetchState.Resource, false, "the prefetch is paged and no fhirServer was given: only its first page was used"),
            new PrefetchResolution("procedures", PrefetchState.Resource, false, null));

        var card = Compose(Assessment(1, ["fever 39.5 °C"]), record: record);

        Assert.Contains("- patient: read from the FHIR server\n", card.Detail, StringComparison.Ordinal);
        Assert.Contains("- observations: from prefetch; the prefetch is paged", card.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("- procedures", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTwoCompositions_WhenComposed_ThenEachCardHasItsOwnUuid()
    {
        var a = Compose(Assessment(1, ["fever 39.5 °C"]));
        var b = Compose(Assessment(1, ["fever 39.5 °C"]));

        Assert.True(Guid.TryParse(a.Uuid, out _));
        Assert.NotEqual(a.Uuid, b.Uuid);
    }

    [Fact]
    public void GivenACard_WhenComposed_ThenSourceAndLinkPointToTheAstctPaper()
    {
        var card = Compose(Assessment(1, ["fever 39.5 °C"]));

        Assert.Equal("https://doi.org/10.1016/j.bbmt.2018.12.758", card.Source.Url);
        Assert.False(string.IsNullOrWhiteSpace(card.Source.Label));
        Assert.Contains(card.Links!, l => l.Url == "https://doi.org/10.1016/j.bbmt.2018.12.758");
        Assert.All(card.Links!, l => Assert.Equal("absolute", l.Type));
        Assert.Equal("crs-grade", card.Source.Topic?.Code);
    }

    [Fact]
    public void GivenACourseSinceInfusion_WhenComposed_ThenTheDetailGivesMaximumGradeAndOnset()
    {
        var infusion = Now.AddDays(-4);
        var course = new CrsCourse(infusion, [], MaxGrade: 3, MaxGradeDay: 3, OnsetDay: 2);

        var card = Compose(Assessment(3, ["norepinephrine"]), course: course);

        Assert.Contains("Since infusion: maximum grade 3 (day 3); onset day 2.", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenACourseWithoutCrs_WhenComposed_ThenTheDetailSaysNoCrsSoFar()
    {
        var course = new CrsCourse(Now.AddDays(-4), [], MaxGrade: 0, MaxGradeDay: 0, OnsetDay: null);

        var card = Compose(Assessment(0, fever: "afebrile (max 37.4 °C)"), course: course);

        Assert.Contains("Since infusion: maximum grade 0 (day 0); no CRS so far.", card.Detail, StringComparison.Ordinal);
    }
}
