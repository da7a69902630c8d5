using CarTCds.Rules.Management;

namespace CarTCds.Rules.Tests.Management;

public sealed class ManagementParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenValidated_ThenValid()
    {
        Assert.Empty(RuleSet.Default.Validate());
    }

    public static TheoryData<string, ManagementParameters> Nonsense() => new()
    {
        { "Management.Dexamethasone.MgPerKg", new ManagementParameters { Dexamethasone = new DoseRule { MgPerKg = 0m, MaxDoseMg = 10m, OrderMaxMgPerKg = 0.5m, OrderMaxDoseMg = 20m } } },
        { "Management.Anakinra.OrderMaxMgPerKg", new ManagementParameters { Anakinra = new DoseRule { MgPerKg = 2m, MaxDoseMg = 100m, OrderMaxMgPerKg = 1m, OrderMaxDoseMg = 200m } } },
        { "Management.Ruxolitinib.OrderMaxDoseMg", new ManagementParameters { Ruxolitinib = new DoseRule { MgPerKg = 0.5m, MaxDoseMg = 10m, OrderMaxMgPerKg = 0.5m, OrderMaxDoseMg = 5m } } },
        { "Management.PersistentFeverDays", new ManagementParameters { PersistentFeverDays = 0 } },
        { "Management.RefractoryAfter", new ManagementParameters { RefractoryAfter = TimeSpan.Zero } },
        { "Management.IcuFromCrsGrade", new ManagementParameters { IcuFromCrsGrade = 5 } },
        { "Management.FerritinRecentWithin", new ManagementParameters { FerritinRecentWithin = TimeSpan.FromDays(-1) } },
    };

    [Theory]
    [MemberData(nameof(Nonsense))]
    public void GivenANonsenseValue_WhenValidated_ThenTheMessageNamesIt(string name, ManagementParameters p)
    {
        var errors = new RuleSet { Management = p }.Validate();

        Assert.Contains(errors, e => e.StartsWith(name, StringComparison.Ordinal));
    }
}
