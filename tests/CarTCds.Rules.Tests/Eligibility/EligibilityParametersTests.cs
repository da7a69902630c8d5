using CarTCds.Rules.Eligibility;

namespace CarTCds.Rules.Tests.Eligibility;

public sealed class EligibilityParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenRead_ThenTheyAreTheLabelsAndClinicalRulesValues()
    {
        var p = new EligibilityParameters();

        Assert.Equal(25, p.MaxAgeYears);
        Assert.True(p.AgeLimitInclusive);
        Assert.False(p.FirstRelapsePostTransplantEligible);
        Assert.Equal(3, p.Cd19MaxAgeMonths);
        Assert.Equal(5m, p.MinMarrowBlastsPercent);
        Assert.Equal(6, p.MinMonthsSinceAlloSct);
        Assert.Equal(50, p.MinPerformanceScore);
        Assert.Equal(50m, p.DoseWeightThresholdKg);
        Assert.Equal(200_000m, p.DosePerKgMinCells);
        Assert.Equal(5_000_000m, p.DosePerKgMaxCells);
        Assert.Equal(10_000_000m, p.DoseFlatMinCells);
        Assert.Equal(250_000_000m, p.DoseFlatMaxCells);
        Assert.Empty(new RuleSet().Validate());
    }

    public static TheoryData<EligibilityParameters, string> Nonsense => new()
    {
        { new EligibilityParameters { MaxAgeYears = 0 }, "MaxAgeYears" },
        { new EligibilityParameters { DistinctRelapseMinGap = TimeSpan.FromDays(-1) }, "DistinctRelapseMinGap" },
        { new EligibilityParameters { Cd19MaxAgeMonths = 0 }, "Cd19MaxAgeMonths" },
        { new EligibilityParameters { MinMarrowBlastsPercent = 101m }, "MinMarrowBlastsPercent" },
        { new EligibilityParameters { MinMonthsSinceAlloSct = -1 }, "MinMonthsSinceAlloSct" },
        { new EligibilityParameters { MinPerformanceScore = 110 }, "MinPerformanceScore" },
        { new EligibilityParameters { KarnofskyFromAgeYears = -1 }, "KarnofskyFromAgeYears" },
        { new EligibilityParameters { DoseWeightThresholdKg = 0m }, "DoseWeightThresholdKg" },
        { new EligibilityParameters { DosePerKgMinCells = 6e6m }, "DosePerKgMinCells" },
        { new EligibilityParameters { DoseFlatMaxCells = 1e6m }, "DoseFlatMinCells" },
        { new EligibilityParameters { WeightStaleAfter = TimeSpan.Zero }, "WeightStaleAfter" },
    };

    [Theory]
    [MemberData(nameof(Nonsense))]
    public void GivenANonsenseValue_WhenValidated_ThenTheParameterIsNamed(EligibilityParameters p, string name)
    {
        var errors = new RuleSet { Eligibility = p }.Validate();

        var error = Assert.Single(errors);
        Assert.StartsWith($"Eligibility.{name}", error, StringComparison.Ordinal);
    }
}
