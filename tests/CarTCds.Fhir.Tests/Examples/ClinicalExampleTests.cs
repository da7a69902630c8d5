using CarTCds.Fhir.Model;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Examples;

/// <summary>Condition, Procedure and ServiceRequest examples from the FHIR R4 specification.</summary>
public sealed class ClinicalExampleTests
{
    private const string ConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";

    [Fact]
    public void GivenTheConditionExample_WhenParsed_ThenStatusesCodeAndOnsetAreRead()
    {
        // Arrange + Act
        var conditions = SpecExample.ParsedAndRoundTripped<Condition>("condition-example.json");

        // Assert
        foreach (var c in conditions)
        {
            Assert.Equal("example", c.Id);
            Assert.True(c.ClinicalStatus!.Has(FhirSystems.ConditionClinical, "active"));
            Assert.True(c.VerificationStatus!.Has(FhirSystems.ConditionVerification, "confirmed"));
            var category = Assert.Single(c.Category!);
            Assert.True(category.Has(ConditionCategory, "encounter-diagnosis"));
            Assert.Equal("439401001", category.CodeIn(FhirSystems.Snomed));
            Assert.Equal("24484000", c.Severity!.CodeIn(FhirSystems.Snomed));
            Assert.True(c.Code!.Has(FhirSystems.Snomed, "39065001"));
            Assert.Equal("Burnt Ear", c.Code.Text);
            Assert.Equal("Left Ear", Assert.Single(c.BodySite!).Text);
            Assert.Equal("Patient/example", c.Subject!.ReferenceValue);
            Assert.Equal("2012-05-24", c.OnsetDateTime);
            Assert.Null(c.OnsetPeriod);
            Assert.Null(c.AbatementDateTime);
            Assert.Equal("HTEST", Assert.Single(c.Meta!.Tag!).Code);
        }
    }

    [Fact]
    public void GivenTheFeverConditionExample_WhenParsed_ThenResolvedStatusAndDatesAreRead()
    {
        // Arrange + Act
        var conditions = SpecExample.ParsedAndRoundTripped<Condition>("condition-example-f201-fever.json");

        // Assert
        foreach (var c in conditions)
        {
            Assert.Equal("f201", c.Id);
            Assert.Equal("12345", Assert.Single(c.Identifier!).Value);
            Assert.True(c.ClinicalStatus!.Has(FhirSystems.ConditionClinical, "resolved"));
            Assert.False(c.ClinicalStatus.Has(FhirSystems.ConditionClinical, "active"));
            Assert.True(Assert.Single(c.Category!).Has(ConditionCategory, "problem-list-item"));
            Assert.Equal("255604002", c.Severity!.CodeIn(FhirSystems.Snomed));
            Assert.True(c.Code!.Has(FhirSystems.Snomed, "386661006"));
            Assert.Equal("Patient/f201", c.Subject!.ReferenceValue);
            Assert.Equal("Roel", c.Subject.Display);
            Assert.Equal("Encounter/f201", c.Encounter!.ReferenceValue);
            Assert.Equal("2013-04-02", c.OnsetDateTime);
            Assert.Equal("2013-04-04", c.RecordedDate);
            // abatementString is not modelled: it is skipped, not mistaken for a dateTime.
            Assert.Null(c.AbatementDateTime);
        }
    }

    [Fact]
    public void GivenTheProcedureExample_WhenParsed_ThenCodePerformedDateAndNoteAreRead()
    {
        // Arrange + Act
        var procedures = SpecExample.ParsedAndRoundTripped<Procedure>("procedure-example.json");

        // Assert
        foreach (var p in procedures)
        {
            Assert.Equal("example", p.Id);
            Assert.Equal("completed", p.Status);
            Assert.True(p.Code!.Has(FhirSystems.Snomed, "80146002"));
            Assert.Equal("Appendectomy", p.Code.Text);
            Assert.Equal("Patient/example", p.Subject!.ReferenceValue);
            Assert.Equal("2013-04-05", p.PerformedDateTime);
            Assert.Null(p.PerformedPeriod);
            Assert.Equal(
                "Routine Appendectomy. Appendix was inflamed and in retro-caecal position",
                Assert.Single(p.Note!).Text);
        }
    }

    [Fact]
    public void GivenTheServiceRequestExample_WhenParsed_ThenStatusIntentCategoryAndCodeAreRead()
    {
        // Arrange + Act
        var requests = SpecExample.ParsedAndRoundTripped<ServiceRequest>("servicerequest-example.json");

        // Assert
        foreach (var r in requests)
        {
            Assert.Equal("example", r.Id);
            Assert.Equal("completed", r.Status);
            Assert.Equal("order", r.Intent);
            var category = Assert.Single(r.Category!);
            Assert.Equal("103693007", category.CodeIn(FhirSystems.Snomed));
            Assert.Equal("Diagnostics Procedure", category.Text);
            Assert.True(r.Code!.Has(FhirSystems.Snomed, "303653007"));
            Assert.Equal("Patient/example", r.Subject!.ReferenceValue);
            // The file escapes the markup as \u003c…\u003e; the model holds the decoded XHTML.
            Assert.Equal("<div xmlns=\"http://www.w3.org/1999/xhtml\">To be added</div>", r.Text!.Div);
        }
    }

    [Fact]
    public void GivenThePhysiotherapyServiceRequest_WhenTheReasonIsResolved_ThenTheContainedConditionIsReturned()
    {
        // Arrange + Act: contained = [Provenance (not modelled), Condition]
        var requests = SpecExample.ParsedAndRoundTripped<ServiceRequest>("servicerequest-example2.json");

        // Assert
        foreach (var r in requests)
        {
            Assert.Equal("physiotherapy", r.Id);
            Assert.Equal(["Provenance", "Condition"], r.Contained!.Select(c => c.ResourceType));
            var reason = Assert.Single(r.ReasonReference!);
            Assert.Equal("#cystic-fibrosis", reason.ReferenceValue);

            var condition = r.ResolveContained<Condition>(reason);

            Assert.NotNull(condition);
            Assert.Equal("cystic-fibrosis", condition.Id);
            Assert.True(condition.Code!.Has(FhirSystems.Icd10Cm, "E84.0"));
            Assert.Equal("Cystic Fibrosis", condition.Code.Text);
            Assert.True(condition.ClinicalStatus!.Has(FhirSystems.ConditionClinical, "active"));
            Assert.Equal("2012-11-12", condition.OnsetDateTime);

            var placer = Assert.Single(r.Identifier!);
            Assert.Equal("Placer", placer.Type!.Text);
            Assert.Equal("20170201-0001", placer.Value);
            Assert.Equal("2017-02-01T17:23:07Z", r.AuthoredOn);
            Assert.Equal("Dr Adam Careful", r.Requester!.Display);
            Assert.Equal(1, r.OccurrenceTiming!.Repeat!.Frequency);
            Assert.Equal(1m, r.OccurrenceTiming.Repeat.Period);
            Assert.Equal("d", r.OccurrenceTiming.Repeat.PeriodUnit);
            Assert.True(r.Code!.Has(FhirSystems.Snomed, "34431008"));
        }
    }
}
