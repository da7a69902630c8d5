using CarTCds.Rules.IecHs;

namespace CarTCds.Rules.Tests.IecHs;

public sealed class IecHsParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenRead_ThenTheyAreTheCartoxAndDocumentedValues()
    {
        var p = new IecHsParameters();

        Assert.Equal(10_000m, p.CarHlhFerritinNgPerMl);
        Assert.Equal(5, p.CarHlhFerritinWindowDays);
        Assert.Equal(2, p.CarHlhMinOrganCriteria);
        Assert.Equal((40m, 40m, 1.2m, 1.0m), (p.AltUlnUnitsPerL, p.AstUlnUnitsPerL, p.BilirubinUlnMgPerDl, p.CreatinineUlnMgPerDl));
        Assert.Equal(150m, p.FibrinogenBelowMgPerDl);
        Assert.Empty(new RuleSet { IecHs = p }.Validate());
    }

    [Fact]
    public void GivenNonsenseValues_WhenValidated_ThenEachParameterIsNamed()
    {
        var rules = new RuleSet
        {
            IecHs = new IecHsParameters
            {
                CarHlhFerritinNgPerMl = 0m,
                CarHlhFerritinWindowDays = 0,
                CarHlhMinOrganCriteria = 0,
                CarHlhTransaminaseUlnMultiple = 1m,
                AltUlnUnitsPerL = -40m,
                FibrinogenBelowMgPerDl = 0m,
                CytopeniaFallFraction = 1.5m,
                IecHsLookBack = TimeSpan.Zero,
                IecHsMinAdditionalFeatures = 0,
            },
        };

        var errors = rules.Validate();

        foreach (var name in new[]
        {
            "CarHlhFerritinNgPerMl", "CarHlhFerritinWindowDays", "CarHlhMinOrganCriteria", "CarHlhTransaminaseUlnMultiple",
            "AltUlnUnitsPerL", "FibrinogenBelowMgPerDl", "CytopeniaFallFraction", "IecHsLookBack", "IecHsMinAdditionalFeatures",
        })
        {
            Assert.Contains(errors, e => e.StartsWith($"IecHs.{name} ", StringComparison.Ordinal));
        }
    }
}
