using CarTCds.Rules.Icans;

namespace CarTCds.Rules.Tests.Icans;

public sealed class IcansParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenRead_ThenTheyAreTheAstctAndNciValues()
    {
        var p = new IcansParameters();

        Assert.Equal(TimeSpan.FromHours(24), p.LookBack);
        Assert.Equal(12, p.CapdMaxAgeYears);
        Assert.Equal(7, p.IceGrade1MinScore);
        Assert.Equal(3, p.IceGrade2MinScore);
        Assert.Equal(9, p.CapdGrade3MinScore);
        Assert.Empty(new RuleSet { Icans = p }.Validate());
    }

    [Theory]
    [InlineData(-1, 7, 3, 9, 24, "CapdMaxAgeYears")]
    [InlineData(12, 11, 3, 9, 24, "IceGrade1MinScore")]
    [InlineData(12, 7, 7, 9, 24, "IceGrade2MinScore")]
    [InlineData(12, 7, 0, 9, 24, "IceGrade2MinScore")]
    [InlineData(12, 7, 3, 33, 24, "CapdGrade3MinScore")]
    [InlineData(12, 7, 3, 9, 0, "LookBack")]
    public void GivenANonsenseValue_WhenValidated_ThenTheParameterIsNamed(int capdAge, int ice1, int ice2, int capd3, int lookBackHours, string name)
    {
        var rules = new RuleSet
        {
            Icans = new IcansParameters
            {
                CapdMaxAgeYears = capdAge,
                IceGrade1MinScore = ice1,
                IceGrade2MinScore = ice2,
                CapdGrade3MinScore = capd3,
                LookBack = TimeSpan.FromHours(lookBackHours),
            },
        };

        var errors = rules.Validate();

        Assert.Contains(errors, e => e.StartsWith($"Icans.{name}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(7, 1)]
    [InlineData(6, 2)]
    [InlineData(3, 2)]
    [InlineData(2, 3)]
    [InlineData(0, 3)]
    public void GivenAnIceScore_WhenAskingItsGrade_ThenTable6(int score, int grade)
    {
        Assert.Equal(grade, IcansGrading.IceGrade(score, new IcansParameters()));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(9, 3)]
    public void GivenACapdScore_WhenAskingItsGrade_ThenGrade1Below9And3From9(int score, int grade)
    {
        Assert.Equal(grade, IcansGrading.CapdGrade(score, new IcansParameters()));
    }
}
