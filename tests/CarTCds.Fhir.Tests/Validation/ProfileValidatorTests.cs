using CarTCds.Fhir.Model;
using CarTCds.Fhir.Tests.TestSupport;
using CarTCds.Fhir.Validation;

namespace CarTCds.Fhir.Tests.Validation;

public class ProfileValidatorTests
{
    private const string CarTCds = "http://cartcds.org/fhir/CodeSystem/cartcds";
    private static readonly ProfileValidator Validator = ProfileValidator.Default;

    private static Observation Temperature(decimal value, string? code, string? unit = null, string status = "final") => new()
    {
        Id = "t1",
        Status = status,
        Code = new CodeableConcept(FhirSystems.Loinc, "8310-5"),
        Subject = new Reference("Patient/p1"),
        EffectiveDateTime = "2013-05-19T08:00:00Z",
        ValueQuantity = new Quantity { Value = value, Code = code, Unit = unit ?? code, System = code is null ? null : FhirSystems.Ucum },
    };

    [Theory]
    [InlineData(25, "Cel", ProfileOutcome.Valid)]
    [InlineData(45, "Cel", ProfileOutcome.Valid)]
    [InlineData(24.9, "Cel", ProfileOutcome.Invalid)]
    [InlineData(45.1, "Cel", ProfileOutcome.Invalid)]
    [InlineData(77, "[degF]", ProfileOutcome.Valid)]
    [InlineData(113, "[degF]", ProfileOutcome.Valid)]
    [InlineData(76.9, "[degF]", ProfileOutcome.Invalid)]
    [InlineData(113.1, "[degF]", ProfileOutcome.Invalid)]
    public void GivenATemperatureAtTheBounds_WhenChecked_ThenTheCelsiusRangeAppliesInEitherUnit(double value, string unit, ProfileOutcome expected)
    {
        var check = Validator.Check(Temperature((decimal)value, unit));

        Assert.Equal(expected, check.Outcome);
    }

    [Fact]
    public void GivenAnIceScoreOf14_WhenChecked_ThenTheMessageNamesTheScoreTimeAndRange()
    {
        var ice = new Observation
        {
            Id = "i1",
            Status = "final",
            Code = new CodeableConcept(CarTCds, "ice-score"),
            EffectiveDateTime = "2013-03-10T08:00:00Z",
            ValueInteger = 14,
        };

        var check = Validator.Check(ice);

        Assert.Equal(ProfileOutcome.Invalid, check.Outcome);
        Assert.Equal("ICE score 14 on 2013-03-10 08:00Z ignored: outside 0–10", check.Reason);
        var issue = Assert.Single(check.Issues);
        Assert.Equal(("error", "value", "Observation.valueInteger"), (issue.Severity, issue.Code, issue.Expression));
    }

    [Theory]
    [InlineData("entered-in-error")]
    [InlineData("cancelled")]
    public void GivenAWithdrawnObservation_WhenChecked_ThenVoidNotAnError(string status)
    {
        var check = Validator.Check(Temperature(80m, "kg", status: status));

        Assert.Equal(ProfileOutcome.Void, check.Outcome);
        Assert.Equal("", check.Reason);
        Assert.Equal("information", Assert.Single(check.Issues).Severity);
    }

    [Fact]
    public void GivenAnObservationNoProfileClaims_WhenChecked_ThenNoProfileAndNoIssue()
    {
        var fio2 = new Observation { Status = "bogus", Code = new CodeableConcept(FhirSystems.Loinc, "3150-0"), ValueQuantity = new Quantity(900m, "kg") };

        var check = Validator.Check(fio2);

        Assert.Equal(ProfileOutcome.NoProfile, check.Outcome);
        Assert.Empty(Validator.Validate(fio2));
    }

    [Fact]
    public void GivenAnAdministrationOfAnUnknownDrug_WhenCheckedUnrecognised_ThenTheDefaultProfileDoesNotApply()
    {
        var other = new MedicationAdministration { Status = "unknown", MedicationCodeableConcept = new CodeableConcept { Text = "Kymriah" } };

        Assert.Equal(ProfileOutcome.NoProfile, Validator.Check(other).Outcome);
        Assert.Equal(ProfileOutcome.Invalid, Validator.Check(other, recognised: true).Outcome);
    }

    [Fact]
    public void GivenAProfileThatNamesAMissingValueSet_WhenCompiled_ThenTheLoadFailsNamingIt()
    {
        var files = ProfileFiles().Where(f => !f.Name.EndsWith("units-temperature.json", StringComparison.Ordinal));

        var ex = Assert.Throws<InvalidOperationException>(() => ProfileValidator.FromJson(files));

        Assert.Contains("cartcds-body-temperature.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http://cartcds.org/fhir/ValueSet/units-temperature", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenACopyWithTheIceRangeNarrowed_WhenCompiled_ThenTheSameScoreIsRejected()
    {
        var files = ProfileFiles().Select(f => f.Name.EndsWith("cartcds-ice-score.json", StringComparison.Ordinal)
            ? (f.Name, f.Json.Replace("\"maxValueInteger\": 10", "\"maxValueInteger\": 8", StringComparison.Ordinal))
            : f).ToList();
        var narrowed = ProfileValidator.FromJson(files);
        var ice9 = new Observation { Status = "final", Code = new CodeableConcept(CarTCds, "ice-score"), EffectiveDateTime = "2013-03-10T08:00:00Z", ValueInteger = 9 };

        Assert.Equal(ProfileOutcome.Valid, Validator.Check(ice9).Outcome);
        Assert.Equal(ProfileOutcome.Invalid, narrowed.Check(ice9).Outcome);
        Assert.EndsWith("outside 0–8", narrowed.Check(ice9).Reason, StringComparison.Ordinal);
    }

    private static List<(string Name, string Json)> ProfileFiles() =>
        new[] { "CodeSystem", "ValueSet", "StructureDefinition" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(RepositoryFiles.Profiles, folder), "*.json"))
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
            .ToList();
}
