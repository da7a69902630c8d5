using CarTCds.Rules.Facts;
using CarTCds.Rules.IecHs;

namespace CarTCds.Rules.Tests.IecHs;

/// <summary>Hines 2023: IEC-HS begins as CRS resolves. The same labs while CRS is still at its worst
/// are not flagged as IEC-HS (CARTOX carHLH, which is defined during CRS, still is).</summary>
public sealed class IecHsTimingTests
{
    private static ClinicalFacts Facts(double crsHoursAgo, bool stillFebrileOnBiPap)
    {
        var labs = new Chart()
            .Infused(120)                                  // r1: day 0
            .Lab(LabTest.Ferritin, 2_000, 6)               // r2: > 2 × default ULN 300, drawn after the room-air day began
            .Lab(LabTest.Fibrinogen, 140, 6)               // r3: < 150 mg/dL
            .Build();
        var now = Chart.Now;
        List<TemperatureReading> temps = [new(now.AddHours(-crsHoursAgo), 39.2m, "Observation/t1")];
        List<OxygenDeviceReading> devices = [new(now.AddHours(-crsHoursAgo), OxygenDevice.Bipap, "Observation/o1")];
        if (stillFebrileOnBiPap)
        {
            temps.Add(new(now.AddHours(-2), 39.0m, "Observation/t2"));
            devices.Add(new(now.AddHours(-2), OxygenDevice.Bipap, "Observation/o2"));
        }
        else
        {
            temps.Add(new(now.AddHours(-2), 37.0m, "Observation/t2"));
            devices.Add(new(now.AddHours(-2), OxygenDevice.RoomAir, "Observation/o2"));
        }
        return new ClinicalFacts
        {
            PatientSource = "Patient/p",
            BirthDate = labs.BirthDate,
            Labs = labs.Labs,
            Infusions = labs.Infusions,
            Temperatures = temps,
            OxygenDevices = devices,
        };
    }

    [Fact]
    public void GivenIecHsFeaturesDuringCrsAtItsWorst_WhenScreened_ThenNotFlaggedAndTheNoteSaysWhy()
    {
        var a = IecHsScreen.Assess(Facts(crsHoursAgo: 50, stillFebrileOnBiPap: true), Chart.Now, RuleSet.Default);

        Assert.False(a.Flag);
        Assert.False(a.IecHs.Met);
        Assert.True(a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Met);
        Assert.Contains(a.Notes, n => n.Contains("still at its worst (grade 4)", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenIecHsFeaturesAfterCrsImproved_WhenScreened_ThenFlaggedWithTheCourseInTheNote()
    {
        var a = IecHsScreen.Assess(Facts(crsHoursAgo: 50, stillFebrileOnBiPap: false), Chart.Now, RuleSet.Default);

        Assert.True(a.Flag);
        Assert.Equal([IecHsCriteriaSet.AstctIecHs], a.RaisedBy);
        Assert.Contains(a.Notes, n => n.Contains("improved from grade 4 (day 3) to grade 0", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenTheTimingRuleSwitchedOff_WhenFeaturesDuringCrsAtItsWorst_ThenFlagged()
    {
        var rules = new RuleSet { Version = "1.0.0-test", IecHs = new IecHsParameters { IecHsRequiresCrsImproving = false } };

        var a = IecHsScreen.Assess(Facts(crsHoursAgo: 50, stillFebrileOnBiPap: true), Chart.Now, rules);

        Assert.True(a.Flag);
    }
}
