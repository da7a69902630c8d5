using CarTCds.Fhir.Model;
using CarTCds.Hooks.Facts;

namespace CarTCds.Hooks.Tests.TestSupport;

/// <summary>Builds the FHIR resources of the data contract in code, with times relative to <see cref="Now"/>.</summary>
internal static class FhirData
{
    public static readonly DateTimeOffset Now = new(2013, 5, 19, 12, 0, 0, TimeSpan.Zero);

    public const string PatientId = "p1";

    public static string At(double hoursAgo) => Now.AddHours(-hoursAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static Patient Patient(string? birthDate = "2005-01-01", string id = PatientId) => new() { Id = id, BirthDate = birthDate };

    public static Reference Subject(string patientId = PatientId) => new($"Patient/{patientId}");

    public static Observation Observation(string id, string system, string code, string? status = "final", string? effective = null, Quantity? quantity = null)
        => new()
        {
            Id = id,
            Status = status,
            Code = new CodeableConcept(system, code),
            Subject = Subject(),
            EffectiveDateTime = effective ?? At(2),
            ValueQuantity = quantity,
        };

    public static Observation Temperature(string id, decimal value, string unit = "Cel", string? status = "final", double hoursAgo = 2)
        => Observation(id, FhirSystems.Loinc, DataContract.LoincBodyTemperature, status, At(hoursAgo), new Quantity(value, unit));

    public static Observation Systolic(string id, decimal value, string unit = "mm[Hg]", double hoursAgo = 2)
        => Observation(id, FhirSystems.Loinc, DataContract.LoincSystolicBp, "final", At(hoursAgo), new Quantity(value, unit));

    public static Observation BloodPressurePanel(string id, decimal systolic, decimal diastolic, double hoursAgo = 2) => new()
    {
        Id = id,
        Status = "final",
        Code = new CodeableConcept(FhirSystems.Loinc, DataContract.LoincBloodPressurePanel),
        Subject = Subject(),
        EffectiveDateTime = At(hoursAgo),
        Component =
        [
            new ObservationComponent { Code = new CodeableConcept(FhirSystems.Loinc, "8462-4"), ValueQuantity = new Quantity(diastolic, "mm[Hg]") },
            new ObservationComponent { Code = new CodeableConcept(FhirSystems.Loinc, DataContract.LoincSystolicBp), ValueQuantity = new Quantity(systolic, "mm[Hg]") },
        ],
    };

    /// <summary>An ICE or CAPD score (cartcds code <paramref name="code"/>, valueInteger).</summary>
    public static Observation Score(string id, string code, int value, double hoursAgo = 1)
    {
        var o = Observation(id, DataContract.CarTCds, code, effective: At(hoursAgo));
        o.ValueInteger = value;
        return o;
    }

    /// <summary>A level of consciousness (cartcds#consciousness, e.g. <c>unarousable</c>).</summary>
    public static Observation Consciousness(string id, string level, double hoursAgo = 1)
    {
        var o = Observation(id, DataContract.CarTCds, DataContract.Consciousness, effective: At(hoursAgo));
        o.ValueCodeableConcept = new CodeableConcept(DataContract.CarTCds, level);
        return o;
    }

    /// <summary>A body weight (LOINC 29463-7).</summary>
    public static Observation Weight(string id, decimal value, string unit = "kg", double hoursAgo = 30)
        => Observation(id, FhirSystems.Loinc, DataContract.LoincBodyWeight, "final", At(hoursAgo), new Quantity(value, unit));

    public static Observation OxygenDevice(string id, string deviceCode, double hoursAgo = 2) => new()
    {
        Id = id,
        Status = "final",
        Code = new CodeableConcept(DataContract.CarTCds, DataContract.OxygenDelivery),
        Subject = Subject(),
        EffectiveDateTime = At(hoursAgo),
        ValueCodeableConcept = new CodeableConcept(DataContract.CarTCds, deviceCode),
    };

    public static Observation OxygenFlow(string id, decimal value, string unit = "L/min", double hoursAgo = 2)
        => Observation(id, FhirSystems.Loinc, DataContract.LoincOxygenFlow, "final", At(hoursAgo), new Quantity(value, unit));

    public static MedicationAdministration Administration(string id, string rxnorm, string status = "completed", double startedHoursAgo = 3, double? endedHoursAgo = null) => new()
    {
        Id = id,
        Status = status,
        MedicationCodeableConcept = new CodeableConcept(FhirSystems.RxNorm, rxnorm),
        Subject = Subject(),
        EffectivePeriod = new Period { Start = At(startedHoursAgo), End = endedHoursAgo is { } e ? At(e) : null },
    };

    public static Procedure CarTInfusion(string id, string status = "completed", double hoursAgo = 72) => new()
    {
        Id = id,
        Status = status,
        Code = new CodeableConcept(DataContract.CarTCds, DataContract.CarTInfusion),
        Subject = Subject(),
        PerformedDateTime = At(hoursAgo),
    };

    public static Bundle Searchset(params Resource[] resources) => new()
    {
        Type = "searchset",
        Entry = resources.Select(r => new BundleEntry { Resource = r, Search = new BundleEntrySearch { Mode = "match" } }).ToList(),
    };

    public static Bundle Page(string? next, params Resource[] resources)
    {
        var b = Searchset(resources);
        if (next is not null) b.Link = [new BundleLink { Relation = "next", Url = next }];
        return b;
    }
}
