using System.Globalization;
using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Eligibility;

public sealed class ProductEligibilityTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, CultureInfo.InvariantCulture);

    private static IReadOnlyList<ProductAssessment> Assess(Chart b, RuleSet? rules = null, DateTimeOffset? at = null)
    {
        var facts = b.Build();
        rules ??= RuleSet.Default;
        var when = at ?? Chart.EligibilityNow;
        return ProductEligibility.Assess(facts, when, rules, EligibilityCheck.Assess(facts, when, rules));
    }

    private static ProductAssessment Of(IReadOnlyList<ProductAssessment> all, CarTProduct p) => all.Single(a => a.Product == p);

    // "adult patients" (Tecartus, Aucatzyl US labels): 18 completed years, the 18th birthday included.
    [Theory]
    [InlineData("2026-05-18", 17, EligibilityStatus.NotEligible)]
    [InlineData("2026-05-19", 18, EligibilityStatus.Eligible)]
    public void GivenBornOn2008May19_WhenAssessedAroundThe18thBirthday_ThenTheAdultProductsStartOnIt(string on, int age, EligibilityStatus expected)
    {
        var b = Chart.EligibleBAll().Born(D("2008-05-19"));

        var all = Assess(b, at: new DateTimeOffset(D(on).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));

        foreach (var p in new[] { CarTProduct.BrexucabtageneAutoleucel, CarTProduct.ObecabtageneAutoleucel })
        {
            var a = Of(all, p);
            Assert.Equal(expected, a.Eligibility);
            var reason = Assert.Single(a.Reasons, r => r.Criterion == "age");
            Assert.StartsWith($"Age {age} y on {on}:", reason.Text, StringComparison.Ordinal);
            Assert.Equal(["Patient/p"], reason.Evidence.Select(e => e.Source));
        }
        Assert.Equal(EligibilityStatus.Eligible, Of(all, CarTProduct.Tisagenlecleucel).Eligibility);
    }

    [Fact]
    public void GivenA30YearOldWithOneRelapse_WhenAssessed_ThenTisagenlecleucelIsNotEligibleAndBothAdultProductsAreEligible()
    {
        var b = Chart.ForEligibility().Born(D("1996-01-10")).Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all")
            .Status(DiseaseStatus.Relapse, 100, "Observation/relapse-1");

        var all = Assess(b);

        Assert.Equal([CarTProduct.Tisagenlecleucel, CarTProduct.BrexucabtageneAutoleucel, CarTProduct.ObecabtageneAutoleucel], all.Select(a => a.Product));
        Assert.Equal(["not-eligible", "eligible", "eligible"], all.Select(a => a.Code));
        Assert.Equal(["eligibility-tisagenlecleucel", "eligibility-brexucabtagene-autoleucel", "eligibility-obecabtagene-autoleucel"], all.Select(a => a.FindingCode));
        var brexu = Of(all, CarTProduct.BrexucabtageneAutoleucel);
        Assert.Equal(["Condition/b-all", "Observation/relapse-1", "Patient/p"], brexu.Evidence.Select(e => e.Source).Order());
        Assert.Equal("US PI (B-ALL indication approved 2021-10-01)", brexu.LabelVersion);
        Assert.Equal("US PI 11/2024 (approval 2024-11-08)", Of(all, CarTProduct.ObecabtageneAutoleucel).LabelVersion);
    }

    [Theory]
    [InlineData(new[] { DiseaseStatus.PrimaryRefractory }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.Relapse }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.RefractoryRelapse }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.Remission }, CriterionOutcome.NotMet)]
    [InlineData(new[] { DiseaseStatus.Remission, DiseaseStatus.MrdPositive }, CriterionOutcome.Undetermined)]
    [InlineData(new DiseaseStatus[0], CriterionOutcome.Undetermined)]
    public void GivenDiseaseStatusEvents_WhenAssessedForAnAdultLabel_ThenAnyRelapseOrRefractoryDiseaseIsCovered(DiseaseStatus[] statuses, CriterionOutcome outcome)
    {
        var b = Chart.ForEligibility().Born(D("1990-01-01")).Diagnosis(DiagnosisKind.BCellAll);
        for (var i = 0; i < statuses.Length; i++) b.Status(statuses[i], 400 - (100 * i));

        var reason = Assert.Single(Of(Assess(b), CarTProduct.ObecabtageneAutoleucel).Reasons, r => r.Criterion == "disease-status");

        Assert.Equal(outcome, reason.Outcome);
        Assert.Equal(statuses.Length, reason.Evidence.Count);
    }

    // Tecartus B-ALL approval 2021-10-01, Aucatzyl 2024-11-08 (ProductLabelParameters).
    [Theory]
    [InlineData("2021-09-30", EligibilityStatus.NotEligible, EligibilityStatus.NotEligible)]
    [InlineData("2021-10-01", EligibilityStatus.Eligible, EligibilityStatus.NotEligible)]
    [InlineData("2024-11-07", EligibilityStatus.Eligible, EligibilityStatus.NotEligible)]
    [InlineData("2024-11-08", EligibilityStatus.Eligible, EligibilityStatus.Eligible)]
    public void GivenAnAdultWithRelapsedAll_WhenAssessedAroundEachApprovalDate_ThenALabelAppliesFromItsApprovalDay(string on, EligibilityStatus brexu, EligibilityStatus obe)
    {
        var at = new DateTimeOffset(D(on).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var b = Chart.ForEligibility().Born(D("1980-01-01")).Diagnosis(DiagnosisKind.BCellAll, onsetDaysAgo: 3000).Status(DiseaseStatus.Relapse, 2000);

        var all = Assess(b, at: at);

        Assert.Equal(brexu, Of(all, CarTProduct.BrexucabtageneAutoleucel).Eligibility);
        Assert.Equal(obe, Of(all, CarTProduct.ObecabtageneAutoleucel).Eligibility);
        var notYet = all.Skip(1).Where(a => a.Eligibility == EligibilityStatus.NotEligible).ToList();
        Assert.All(notYet, a => Assert.Equal("approval", a.Reasons[0].Criterion));
    }

    [Fact]
    public void GivenNoBirthDate_WhenAssessed_ThenEveryProductIsUndeterminedAndNamesTheBirthDate()
    {
        var all = Assess(Chart.EligibleBAll().Born(null));

        Assert.All(all, a => Assert.Equal(EligibilityStatus.Undetermined, a.Eligibility));
        Assert.All(all, a => Assert.Contains("Patient.birthDate", a.Missing));
    }

    [Fact]
    public void GivenTAll_WhenAssessed_ThenNoProductIsEligible()
    {
        var all = Assess(Chart.ForEligibility().Born(D("1990-01-01")).Diagnosis(DiagnosisKind.TCellAll).Status(DiseaseStatus.Relapse, 100));

        Assert.All(all, a => Assert.Equal(EligibilityStatus.NotEligible, a.Eligibility));
    }

    [Fact]
    public void GivenALocalLabelWithAnUpperAgeLimit_WhenAssessedAboveIt_ThenNotEligible()
    {
        var rules = new RuleSet
        {
            Version = "1.0.0-eu",
            ProductLabels = new ProductLabelParameters
            {
                ObecabtageneAutoleucel = new ProductLabel { Brand = "Aucatzyl", LabelVersion = "EU SmPC 2025", Indication = "adults 26 years and above …", MinAgeYears = 26, MaxAgeYears = 80 },
            },
        };

        var obe = Of(Assess(Chart.ForEligibility().Born(D("2001-01-01")).Diagnosis(DiagnosisKind.BCellAll).Status(DiseaseStatus.Relapse, 100), rules), CarTProduct.ObecabtageneAutoleucel);

        Assert.Equal(EligibilityStatus.NotEligible, obe.Eligibility);
        Assert.Contains("outside the label's 26–80 years", Assert.Single(obe.Reasons, r => r.Criterion == "age").Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(80, true)]
    [InlineData(81, false)]
    public void GivenAnUpperAgeLimit_WhenAssessedAtIt_ThenItIsInclusive(int years, bool met)
    {
        var rules = new RuleSet
        {
            Version = "1.0.0-upper",
            ProductLabels = new ProductLabelParameters
            {
                BrexucabtageneAutoleucel = new ProductLabel { Brand = "Tecartus", LabelVersion = "test", Indication = "test", MinAgeYears = 18, MaxAgeYears = 80 },
            },
        };
        var born = DateOnly.FromDateTime(Chart.EligibilityNow.UtcDateTime).AddYears(-years);

        var brexu = Of(Assess(Chart.ForEligibility().Born(born).Diagnosis(DiagnosisKind.BCellAll).Status(DiseaseStatus.Relapse, 100), rules), CarTProduct.BrexucabtageneAutoleucel);

        Assert.Equal(met ? CriterionOutcome.Met : CriterionOutcome.NotMet, Assert.Single(brexu.Reasons, r => r.Criterion == "age").Outcome);
    }

    [Fact]
    public void GivenAProductLabelWithoutIndication_WhenTheRuleSetIsValidated_ThenItSaysSo()
    {
        var rules = new RuleSet { ProductLabels = new ProductLabelParameters { BrexucabtageneAutoleucel = new ProductLabel { Brand = "Tecartus", MinAgeYears = 18 } } };

        Assert.Contains("ProductLabels.BrexucabtageneAutoleucel: Brand, LabelVersion and Indication must not be empty.", rules.Validate());
    }

    // A disease-status event counts up to and including the evaluation time, not a minute after it.
    [Theory]
    [InlineData(0.0, CriterionOutcome.Met)]
    [InlineData(-1.0 / (24 * 60), CriterionOutcome.Undetermined)]
    public void GivenARelapseRecordedAtTheEvaluationTime_WhenAssessedForAnAdultLabel_ThenItCounts(double daysAgo, CriterionOutcome outcome)
    {
        var b = Chart.ForEligibility().Born(D("1990-01-01")).Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all").Status(DiseaseStatus.Relapse, daysAgo, "Observation/relapse");

        var reason = Assert.Single(Of(Assess(b), CarTProduct.ObecabtageneAutoleucel).Reasons, r => r.Criterion == "disease-status");

        Assert.Equal(outcome, reason.Outcome);
        Assert.Equal(outcome == CriterionOutcome.Met ? ["Observation/relapse"] : [], reason.Evidence.Select(e => e.Source));
    }
}
