using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Eligibility;

/// <summary>A first relapse is called "chemo-sensitive" only when a response (a remission after it)
/// is recorded; without one, the wording is neutral.</summary>
public sealed class RelapseResponseWordingTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData(120.0, false)] // a remission before the relapse is not a response to it
    [InlineData(60.0, true)]
    public void GivenOneRelapse_WhenARemissionIsOrIsNotRecordedAfterIt_ThenChemoSensitiveOnlyWithTheResponse(double? remissionDaysAgo, bool responded)
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all").Status(DiseaseStatus.Relapse, 90, "Observation/relapse-1");
        if (remissionDaysAgo is { } days) b.Status(DiseaseStatus.Remission, days, "Observation/remission-1");

        var a = EligibilityCheck.Assess(b.Build(), Chart.EligibilityNow, RuleSet.Default);

        Assert.Equal(EligibilityStatus.NotEligible, a.Eligibility);
        var r = Assert.Single(a.Reasons, r => r.Criterion == "disease-status");
        Assert.Equal(responded, r.Text.Contains("chemo-sensitive", StringComparison.Ordinal));
        Assert.Equal(responded, r.Evidence.Any(e => e.Source == "Observation/remission-1"));
        Assert.Contains(r.Evidence, e => e.Source == "Observation/relapse-1");
    }
}
