using CarTCds.Rules.Monitoring;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class MonitoringParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenRead_ThenClinicalRulesValues()
    {
        var p = new MonitoringParameters();

        Assert.Equal(14, p.NeuroMonitoringDays);
        Assert.Equal(TimeSpan.FromHours(12), p.NeuroAssessmentInterval);
        Assert.Equal(10m, p.LevetiracetamMgPerKg);
        Assert.Equal(500m, p.LevetiracetamMaxDoseMg);
        Assert.Equal(TimeSpan.FromHours(12), p.LevetiracetamInterval);
        Assert.Equal(30, p.LevetiracetamDays);
        Assert.Equal(400m, p.IgGThresholdMgPerDl);
        Assert.False(p.IgGThresholdInclusive);
        Assert.Equal(365, p.RelapseSurveillanceDays);
        Assert.Equal(100m, p.Cd19CountLossPerMicrolitre);
        Assert.Equal(1m, p.Cd19PercentLoss);
        Assert.Equal(14, p.LogisticsDays);
        Assert.Equal(14, p.NoDrivingDays);
        Assert.Equal(2m, p.ProximityHours);
        Assert.Equal("2025-06", p.LabelVersion);
        Assert.DoesNotContain(RuleSet.Default.Validate(), e => e.StartsWith("Monitoring.", StringComparison.Ordinal));
    }

    public static TheoryData<MonitoringParameters, string> Nonsense => new()
    {
        { new MonitoringParameters { NeuroMonitoringDays = 0 }, "NeuroMonitoringDays" },
        { new MonitoringParameters { NeuroAssessmentInterval = TimeSpan.Zero }, "NeuroAssessmentInterval" },
        { new MonitoringParameters { NeuroAssessmentInterval = TimeSpan.FromDays(3) }, "NeuroAssessmentInterval" },
        { new MonitoringParameters { LevetiracetamMgPerKg = 0m }, "LevetiracetamMgPerKg" },
        { new MonitoringParameters { LevetiracetamMaxDoseMg = -500m }, "LevetiracetamMaxDoseMg" },
        { new MonitoringParameters { LevetiracetamInterval = TimeSpan.FromHours(1) }, "LevetiracetamInterval" },
        { new MonitoringParameters { LevetiracetamDays = 0 }, "LevetiracetamDays" },
        { new MonitoringParameters { LevetiracetamCurrentWithin = TimeSpan.Zero }, "LevetiracetamCurrentWithin" },
        { new MonitoringParameters { IgGThresholdMgPerDl = 0m }, "IgGThresholdMgPerDl" },
        { new MonitoringParameters { RelapseSurveillanceDays = 0 }, "RelapseSurveillanceDays" },
        { new MonitoringParameters { Cd19CountLossPerMicrolitre = 0m }, "Cd19CountLossPerMicrolitre" },
        { new MonitoringParameters { Cd19PercentLoss = 100m }, "Cd19PercentLoss" },
        { new MonitoringParameters { BCellRecoveryFromDay = 400 }, "BCellRecoveryFromDay" },
        { new MonitoringParameters { LogisticsDays = -1 }, "LogisticsDays" },
        { new MonitoringParameters { NoDrivingDays = 400 }, "NoDrivingDays" },
        { new MonitoringParameters { ProximityHours = 0m }, "ProximityHours" },
        { new MonitoringParameters { LabelVersion = " " }, "LabelVersion" },
    };

    [Theory]
    [MemberData(nameof(Nonsense))]
    public void GivenANonsenseValue_WhenValidated_ThenTheParameterIsNamed(MonitoringParameters p, string name)
    {
        var errors = new RuleSet { Monitoring = p }.Validate();

        Assert.Contains(errors, e => e.StartsWith($"Monitoring.{name} ", StringComparison.Ordinal));
    }
}
