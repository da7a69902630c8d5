using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Fhir.Tests.TestSupport;

/// <summary>Loads the FHIR R4 published examples copied under SpecExamples/ (see SOURCES.md).</summary>
internal static class SpecExample
{
    /// <summary>Every example file, for theories that must hold for all of them.</summary>
    public static readonly string[] AllFiles =
    [
        "patient-example.json",
        "patient-example-f001-pieter.json",
        "observation-example-f001-glucose.json",
        "observation-example-body-temperature.json",
        "observation-example-bloodpressure.json",
        "observation-example.json",
        "condition-example.json",
        "condition-example-f201-fever.json",
        "procedure-example.json",
        "medicationrequest0301.json",
        "medicationrequest0302.json",
        "medicationadministration0301.json",
        "medicationadministration0302.json",
        "medicationstatementexample1.json",
        "servicerequest-example.json",
        "servicerequest-example2.json",
        "operationoutcome-example.json",
        "bundle-example.json",
        "bundle-transaction.json",
    ];

    public static string Read(string fileName) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SpecExamples", fileName));

    public static byte[] ReadBytes(string fileName) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "SpecExamples", fileName));

    /// <summary>The example parsed as <typeparamref name="T"/>, and the same example after a
    /// write/read round trip. Tests assert the same values on both.</summary>
    public static IReadOnlyList<T> ParsedAndRoundTripped<T>(string fileName) where T : Resource
    {
        var parsed = FhirJson.Parse<T>(Read(fileName));
        var roundTripped = FhirJson.Parse<T>(FhirJson.Serialize(parsed));
        return [parsed, roundTripped];
    }
}
