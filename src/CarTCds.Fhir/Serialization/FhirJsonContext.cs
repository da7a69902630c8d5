using System.Text.Json.Serialization;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Serialization;

/// <summary>Source-generated JSON metadata for the lean FHIR model (no run-time reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(ResourceJsonConverter)])]
[JsonSerializable(typeof(Resource))]
[JsonSerializable(typeof(Patient))]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(Condition))]
[JsonSerializable(typeof(Procedure))]
[JsonSerializable(typeof(Medication))]
[JsonSerializable(typeof(MedicationRequest))]
[JsonSerializable(typeof(MedicationAdministration))]
[JsonSerializable(typeof(MedicationStatement))]
[JsonSerializable(typeof(ServiceRequest))]
[JsonSerializable(typeof(Bundle))]
[JsonSerializable(typeof(OperationOutcome))]
public sealed partial class FhirJsonContext : JsonSerializerContext;
