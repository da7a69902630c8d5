using System.Text.Json;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Tests.Cards;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Contract;

public sealed class CdsJsonSerializationTests
{
    private static string Write(CdsResponse response) => JsonSerializer.Serialize(response, CdsJson.Response);

    /// <summary>JSON paths holding null, "", [] or {} (CDS Hooks: leave optional fields out).</summary>
    private static List<string> EmptyValues(JsonElement e, string path = "$")
    {
        var found = new List<string>();
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                found.Add(path);
                break;
            case JsonValueKind.String when e.GetString()!.Length == 0:
                found.Add(path);
                break;
            case JsonValueKind.Array:
                if (e.GetArrayLength() == 0) found.Add(path);
                var i = 0;
                foreach (var item in e.EnumerateArray()) found.AddRange(EmptyValues(item, $"{path}[{i++}]"));
                break;
            case JsonValueKind.Object:
                if (!e.EnumerateObject().Any()) found.Add(path);
                foreach (var p in e.EnumerateObject()) found.AddRange(EmptyValues(p.Value, $"{path}.{p.Name}"));
                break;
        }
        return found;
    }

    /// <summary>A valid card whose optional fields are null or empty lists: all must be left out.</summary>
    private static CdsResponse ResponseWithEmptyOptionals()
    {
        var card = CdsResponseValidatorTests.ValidCard();
        card.Detail = null;
        card.Source.Icon = null;
        card.Source.Topic = null;
        card.Extension!.Findings![0].Evidence = [];
        card.Extension.Findings[0].Reasons = null;
        card.Extension.Findings[0].Missing = [];
        card.Suggestions![0].IsRecommended = null;
        card.Suggestions[0].Actions![0].ResourceId = null;
        return new CdsResponse { Cards = [card], SystemActions = null };
    }

    [Fact]
    public void GivenAnEmptyResponse_WhenSerialized_ThenExactlyCardsEmptyArray()
    {
        var json = Write(new CdsResponse());

        Assert.Equal("""{"cards":[]}""", json);
    }

    [Fact]
    public async Task GivenAServiceWithNoGuidance_WhenItsResponseIsSerialized_ThenExactlyCardsEmptyArray()
    {
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.OrderCheckId)!;
        var bundle = new CarTCds.Fhir.Model.Bundle { Type = "collection", Entry = [new() { Resource = FhirData.Patient() }] };
        var request = PatientBundleRequest.Build(service, bundle, new CarTCds.Fhir.Model.Bundle { Type = "collection", Entry = [] });
        var result = await CdsEngine.Create(new FixedTimeProvider(FhirData.Now)).EvaluateAsync(service.Id, request, CancellationToken.None);

        var json = Write(result.Response!);

        Assert.Equal("""{"cards":[]}""", json);
    }

    [Fact]
    public void GivenACardWithNullAndEmptyOptionalFields_WhenSerialized_ThenNoNullNoEmptyArrayNoEmptyString()
    {
        var json = Write(ResponseWithEmptyOptionals());

        using var doc = JsonDocument.Parse(json);
        Assert.Empty(EmptyValues(doc.RootElement));
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("[]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenACardWithEmptyOptionalLists_WhenSerialized_ThenTheyAreLeftOut()
    {
        var json = Write(ResponseWithEmptyOptionals());

        using var doc = JsonDocument.Parse(json);
        var finding = doc.RootElement.GetProperty("cards")[0].GetProperty("extension").GetProperty("org.cartcds.findings")[0];
        Assert.False(finding.TryGetProperty("evidence", out _));
        Assert.False(finding.TryGetProperty("missing", out _));
        Assert.False(finding.TryGetProperty("reasons", out _));
        Assert.False(doc.RootElement.GetProperty("cards")[0].TryGetProperty("detail", out _));
        Assert.False(doc.RootElement.TryGetProperty("systemActions", out _));
    }

    [Fact]
    public void GivenACardWithFindings_WhenSerialized_ThenTheExtensionKeyIsSpelledExactly()
    {
        var json = Write(CdsResponseValidatorTests.ValidResponse());

        using var doc = JsonDocument.Parse(json);
        var extension = doc.RootElement.GetProperty("cards")[0].GetProperty("extension");
        Assert.Equal(["org.cartcds.findings"], extension.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(3, "3")]
    [InlineData(4, "4")]
    public void GivenAGradeFinding_WhenSerialized_ThenValueIsAJsonNumber(int grade, string raw)
    {
        var response = CdsResponseValidatorTests.ValidResponse();
        response.Cards[0].Extension!.Findings![0].Value = FindingValue.Of(grade);

        var json = Write(response);

        using var doc = JsonDocument.Parse(json);
        var value = doc.RootElement.GetProperty("cards")[0].GetProperty("extension").GetProperty("org.cartcds.findings")[0].GetProperty("value");
        Assert.Equal(JsonValueKind.Number, value.ValueKind);
        Assert.Equal(raw, value.GetRawText());
    }

    [Fact]
    public void GivenANotGradableFinding_WhenSerialized_ThenValueIsAJsonString()
    {
        var response = CdsResponseValidatorTests.ValidResponse();
        response.Cards[0].Extension!.Findings![0].Value = FindingValue.Of("not-gradable");

        var json = Write(response);

        using var doc = JsonDocument.Parse(json);
        var value = doc.RootElement.GetProperty("cards")[0].GetProperty("extension").GetProperty("org.cartcds.findings")[0].GetProperty("value");
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        Assert.Equal("not-gradable", value.GetString());
    }

    [Theory]
    [InlineData("fever 39.5 °C")]
    [InlineData("fever ≥ 38 °C – day 3")]
    public void GivenNonAsciiClinicalText_WhenSerialized_ThenWrittenUnescaped(string summary)
    {
        var response = CdsResponseValidatorTests.ValidResponse();
        response.Cards[0].Summary = summary;

        var json = Write(response);

        Assert.Contains($"\"summary\":\"{summary}\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAResponse_WhenSerializedAndReadBack_ThenPropertiesAreCamelCaseAndValuesSurvive()
    {
        var json = Write(CdsResponseValidatorTests.ValidResponse());

        using var doc = JsonDocument.Parse(json);
        var card = doc.RootElement.GetProperty("cards")[0];
        Assert.Equal("at-most-one", card.GetProperty("selectionBehavior").GetString());
        Assert.Equal("create", card.GetProperty("suggestions")[0].GetProperty("actions")[0].GetProperty("type").GetString());
        Assert.Equal("MedicationRequest", card.GetProperty("suggestions")[0].GetProperty("actions")[0].GetProperty("resource").GetProperty("resourceType").GetString());
        Assert.Equal("astct-2019@1.0.0", card.GetProperty("extension").GetProperty("org.cartcds.findings")[0].GetProperty("ruleSet").GetString());
        Assert.Equal("MedicationRequest/draft-1", doc.RootElement.GetProperty("systemActions")[0].GetProperty("resourceId").GetString());
    }
}
