using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Examples;

/// <summary>Bundle and OperationOutcome examples from the FHIR R4 specification.</summary>
public sealed class BundleAndOutcomeExampleTests
{
    [Fact]
    public void GivenTheSearchsetBundleExample_WhenParsed_ThenLinksEntriesAndSearchModesAreRead()
    {
        // Arrange + Act
        var bundles = SpecExample.ParsedAndRoundTripped<Bundle>("bundle-example.json");

        // Assert
        foreach (var b in bundles)
        {
            Assert.Equal("bundle-example", b.Id);
            Assert.Equal("searchset", b.Type);
            Assert.Equal(3, b.Total);
            Assert.Equal("2014-08-18T01:43:30Z", b.Meta!.LastUpdated);
            Assert.Equal(
                "https://example.com/base/MedicationRequest?patient=347&_include=MedicationRequest.medication&_count=2",
                b.LinkUrl("self"));
            Assert.Equal(
                "https://example.com/base/MedicationRequest?patient=347&searchId=ff15fd40-ff71-4b48-b366-09c706bed9d0&page=2",
                b.LinkUrl("next"));
            Assert.Null(b.LinkUrl("previous"));

            Assert.Equal(["MedicationRequest", "Medication"], b.Resources().Select(r => r.ResourceType));
            var match = b.Entry![0];
            Assert.Equal("https://example.com/base/MedicationRequest/3123", match.FullUrl);
            Assert.Equal("match", match.Search!.Mode);
            Assert.Equal(1m, match.Search.Score);
            var request = Assert.IsType<MedicationRequest>(match.Resource);
            Assert.Equal("3123", request.Id);
            Assert.Equal("unknown", request.Status);
            Assert.Equal("Medication/example", request.MedicationReference!.ReferenceValue);
            Assert.Equal("Patient/347", request.Subject!.ReferenceValue);

            var include = b.Entry[1];
            Assert.Equal("include", include.Search!.Mode);
            Assert.Null(include.Search.Score);
            Assert.Equal("example", Assert.IsType<Medication>(include.Resource).Id);
        }
    }

    [Fact]
    public void GivenTheTransactionBundleExample_WhenParsed_ThenEveryEntryKeepsItsRequestAndResource()
    {
        // Arrange + Act
        var bundles = SpecExample.ParsedAndRoundTripped<Bundle>("bundle-transaction.json");

        // Assert
        foreach (var b in bundles)
        {
            Assert.Equal("transaction", b.Type);
            Assert.Equal(10, b.Entry!.Count);
            Assert.Equal(
                ["POST", "POST", "PUT", "PUT", "PUT", "DELETE", "DELETE", "POST", "GET", "GET"],
                b.Entry.Select(e => e.Request!.Method));
            Assert.Equal(
                ["Patient", "Patient", "Patient", "Patient", "Patient", "Parameters"],
                b.Resources().Select(r => r.ResourceType));

            var created = Assert.IsType<Patient>(b.Entry[0].Resource);
            Assert.Equal("urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", b.Entry[0].FullUrl);
            Assert.Null(created.Id);
            Assert.Equal("1974-12-25", created.BirthDate);
            Assert.Equal(["Peter", "James"], created.Name![0].Given!);

            Assert.Equal("identifier=http:/example.org/fhir/ids|234234", b.Entry[1].Request!.IfNoneExist);
            Assert.Equal("234234", Assert.Single(Assert.IsType<Patient>(b.Entry[1].Resource).Identifier!).Value);
            Assert.Equal("123", b.Entry[2].Resource!.Id);
            Assert.Equal("Patient/123", b.Entry[2].Request!.Url);
            Assert.Equal("Patient?identifier=http:/example.org/fhir/ids|456456", b.Entry[3].Request!.Url);
            Assert.Null(b.Entry[5].Resource);
            Assert.Equal("Patient/234", b.Entry[5].Request!.Url);

            var parameters = Assert.IsType<OtherResource>(b.Entry[7].Resource);
            Assert.Equal("Parameters", parameters.ResourceType);
            Assert.Null(parameters.Id);
            Assert.Equal("ValueSet/$lookup", b.Entry[7].Request!.Url);
            Assert.Equal("Patient/12334", b.Entry[9].Request!.Url);
        }
    }

    [Fact]
    public void GivenTheTransactionBundleExample_WhenRoundTripped_ThenTheUnmodelledParametersResourceIsUnchanged()
    {
        // Arrange
        var json = SpecExample.Read("bundle-transaction.json");
        using var source = JsonDocument.Parse(json);

        // Act
        using var written = JsonDocument.Parse(FhirJson.Serialize(FhirJson.Parse(json)));

        // Assert
        var sourceParameters = source.RootElement.GetProperty("entry")[7].GetProperty("resource");
        var writtenParameters = written.RootElement.GetProperty("entry")[7].GetProperty("resource");
        Assert.True(JsonElement.DeepEquals(sourceParameters, writtenParameters));
    }

    [Fact]
    public void GivenTheOperationOutcomeExample_WhenParsed_ThenTheIssueIsReadInFull()
    {
        // Arrange + Act
        var outcomes = SpecExample.ParsedAndRoundTripped<OperationOutcome>("operationoutcome-example.json");

        // Assert
        foreach (var o in outcomes)
        {
            Assert.Equal("101", o.Id);
            var issue = Assert.Single(o.Issue!);
            Assert.Equal("error", issue.Severity);
            Assert.Equal("code-invalid", issue.Code);
            Assert.Equal("The code \"W\" is not known and not legal in this context", issue.Details!.Text);
            Assert.Equal("Acme.Interop.FHIRProcessors.Patient.processGender line 2453", issue.Diagnostics);
            Assert.Equal(["/f:Patient/f:gender"], issue.Location!);
            Assert.Equal(["Patient.gender"], issue.Expression!);
            Assert.Equal("Acme.Interop.FHIRProcessors.Patient.processGender line 2453", o.Summary);
        }
    }
}
