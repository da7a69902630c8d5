using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Hooks.Tests.Prefetch;

public sealed class PrefetchTemplateTests
{
    private static readonly HookContext Context = new() { PatientId = "p1", UserId = "Practitioner/abc", EncounterId = "e9" };

    [Theory]
    [InlineData("Patient/{{context.patientId}}", "Patient/p1")]
    [InlineData("Observation?patient=Patient/{{context.patientId}}&_count=1000", "Observation?patient=Patient/p1&_count=1000")]
    [InlineData("Observation?patient={{ context.patientId }}", "Observation?patient=p1")]
    [InlineData("Encounter/{{context.encounterId}}", "Encounter/e9")]
    [InlineData("Practitioner/{{userPractitionerId}}", "Practitioner/abc")]
    [InlineData("Observation?performer={{context.userId}}", "Observation?performer=Practitioner%2Fabc")]
    [InlineData("metadata", "metadata")]
    public void GivenATemplate_WhenRendered_ThenTokensAreFilled(string template, string expected)
    {
        Assert.Equal(expected, PrefetchTemplate.Render(template, Context));
    }

    [Theory]
    [InlineData("a&b", "Patient/a%26b")]
    [InlineData("a b", "Patient/a%20b")]
    [InlineData("1?_id=2", "Patient/1%3F_id%3D2")]
    [InlineData("x#y", "Patient/x%23y")]
    public void GivenAnIdWithQuerySyntax_WhenRendered_ThenItIsUrlEscaped(string patientId, string expected)
    {
        var rendered = PrefetchTemplate.Render("Patient/{{context.patientId}}", new HookContext { PatientId = patientId });

        Assert.Equal(expected, rendered);
    }

    [Theory]
    [InlineData("Practitioner/abc", "{{userPractitionerId}}", "abc")]
    [InlineData("PractitionerRole/r1", "{{userPractitionerRoleId}}", "r1")]
    [InlineData("Patient/p7", "{{userPatientId}}", "p7")]
    [InlineData("RelatedPerson/rp", "{{userRelatedPersonId}}", "rp")]
    public void GivenAUserId_WhenAUserTokenOfItsTypeIsRendered_ThenTheBareId(string userId, string template, string expected)
    {
        Assert.Equal(expected, PrefetchTemplate.Render(template, new HookContext { PatientId = "p1", UserId = userId }));
    }

    [Theory]
    [InlineData("Practitioner/{{userPractitionerRoleId}}")]
    [InlineData("Practitioner/{{userPatientId}}")]
    public void GivenAUserOfAnotherType_WhenItsTokenIsRendered_ThenNull(string template)
    {
        Assert.Null(PrefetchTemplate.Render(template, Context));
    }

    [Theory]
    [InlineData("Observation?patient={{context.unknown}}")]
    [InlineData("Observation?date=ge{{today() - 90 days}}")]
    [InlineData("Observation?patient={{context.patientId}}&x={{nope}}")]
    public void GivenAnUnknownToken_WhenRendered_ThenNull(string template)
    {
        Assert.Null(PrefetchTemplate.Render(template, Context));
    }

    [Theory]
    [InlineData("Patient/{{context.patientId")]
    [InlineData("Patient/{{")]
    [InlineData("Patient/{{context.patientId}}&x={{context.patientId")]
    public void GivenAnUnterminatedToken_WhenRendered_ThenNull(string template)
    {
        Assert.Null(PrefetchTemplate.Render(template, Context));
    }

    [Fact]
    public void GivenATokenWithNoValueInThisContext_WhenRendered_ThenNull()
    {
        Assert.Null(PrefetchTemplate.Render("Encounter/{{context.encounterId}}", new HookContext { PatientId = "p1" }));
    }
}
