using System.Text.Json.Nodes;
using CarTCds.Conformance.Tests.TestSupport;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Validation;

namespace CarTCds.Conformance.Tests.Differences;

/// <summary>The deliberately broken instances (tests/CarTCds.Fhir.Tests/Validation/broken-instances.json:
/// at least one per profile, each broken in one way, each rejected by <see cref="ProfileValidator"/>)
/// through the official validator. Where Firely's verdict differs from ours, the difference is listed
/// below with its reason; a difference not listed, or one listed that no longer holds, fails.</summary>
[Collection(ReferenceCollection.Name)]
public sealed class BrokenInstanceDifferenceTests(ReferenceFixture reference)
{
    /// <summary>A bound without a unit code (<c>minValueQuantity: {"value": 0}</c>, the lab profiles'
    /// "not negative"): ProfileValidator compares the number as sent, in any unit; Firely compares
    /// quantities only when both have a UCUM code, so it ignores such a bound.</summary>
    private const string UnitlessBound = "unit-less lower bound: Firely does not compare a Quantity with a bound that has no unit code; ProfileValidator compares the number as sent";

    /// <summary>Broken instances Firely accepts (id → why). Every other broken instance Firely rejects too.</summary>
    private static readonly Dictionary<string, string> FirelyAccepts = new(StringComparer.Ordinal)
    {
        ["broken-cartcds-lab-14804-9-1"] = UnitlessBound,
        ["broken-cartcds-lab-1742-6-1"] = UnitlessBound,
        ["broken-cartcds-lab-1920-8-1"] = UnitlessBound,
        ["broken-cartcds-lab-1975-2-1"] = UnitlessBound,
        ["broken-cartcds-lab-1988-5-1"] = UnitlessBound,
        ["broken-cartcds-lab-2160-0-1"] = UnitlessBound,
        ["broken-cartcds-lab-2276-4-1"] = UnitlessBound,
        ["broken-cartcds-lab-2465-3-1"] = UnitlessBound,
        ["broken-cartcds-lab-2532-0-1"] = UnitlessBound,
        ["broken-cartcds-lab-26881-3-1"] = UnitlessBound,
        ["broken-cartcds-lab-3255-7-1"] = UnitlessBound,
        ["broken-cartcds-lab-751-8-1"] = UnitlessBound,
        ["broken-cartcds-lab-777-3-1"] = UnitlessBound,
        ["broken-cartcds-lab-8116-6-1"] = UnitlessBound,
        ["broken-cartcds-lab-8117-4-1"] = UnitlessBound,
    };

    private static readonly JsonArray Cases = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "broken-instances.json")))!.AsArray();

    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Cases) data.Add(c!["resource"]!["id"]!.GetValue<string>(), c["why"]!.GetValue<string>());
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void GivenABrokenInstance_WhenFirelyValidatesIt_ThenItRejectsItLikeProfileValidatorUnlessTheDifferenceIsListed(string id, string why)
    {
        var c = Cases.Single(x => x!["resource"]!["id"]!.GetValue<string>() == id)!;
        var json = c["resource"]!.ToJsonString();
        var ours = ProfileValidator.Default.Validate(FhirJson.Parse(json)).Where(i => i.IsError).ToList();
        Assert.NotEmpty(ours);

        var firely = reference.Validator.Validate(json).Where(i => i.IsError).ToList();

        if (FirelyAccepts.TryGetValue(id, out var difference))
        {
            Assert.True(firely.Count == 0, $"{id} ({why}) is listed as accepted by Firely ({difference}), but Firely now rejects it:\n{TestFiles.Lines(firely)}\nRemove it from the list.");
        }
        else
        {
            Assert.True(firely.Count > 0, $"{id} ({why}): ProfileValidator rejects it ('{ours[0].Message}') but Firely accepts it: a new difference. Fix the profile so both see it, or list and explain it.");
            // For the same reason: each of Firely's errors is about the element ours names (the instance is
            // broken in one way only; an error elsewhere is a second defect of the instance or a difference).
            var element = Element(ours[0].Expression);
            Assert.True(firely.All(i => (i.Location ?? "").Contains($".{element}", StringComparison.Ordinal) || i.Message.Contains($"'{element}'", StringComparison.Ordinal)),
                $"{id} ({why}): ProfileValidator says {ours[0].Expression}, Firely says:\n{TestFiles.Lines(firely)}");
        }
    }

    /// <summary>The element of one of our issue expressions as Firely names it: <c>Observation.valueQuantity</c>
    /// → <c>value</c>, <c>Observation.effective[x]</c> → <c>effective</c>,
    /// <c>Observation.component:SystolicBP.valueQuantity</c> → <c>component</c>.</summary>
    private static string Element(string expression)
    {
        var path = expression[(expression.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var first = path.Split('.', ':', '[')[0];
        string[] choices = ["value", "effective", "performed", "medication", "onset"];
        return choices.FirstOrDefault(c => first.StartsWith(c, StringComparison.Ordinal)) ?? first;
    }

    [Fact]
    public void GivenTheListedDifferences_WhenLookedUp_ThenEachNamesABrokenInstance()
    {
        var ids = Cases.Select(c => c!["resource"]!["id"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

        Assert.All(FirelyAccepts.Keys, id => Assert.Contains(id, ids));
    }
}
