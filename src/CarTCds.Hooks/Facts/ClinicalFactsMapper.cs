using System.Globalization;
using CarTCds.Fhir;
using CarTCds.Fhir.Model;
using CarTCds.Rules;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Facts;

/// <summary>FHIR resources → <see cref="ClinicalFacts"/>, by the codes of DATA-CONTRACT.md.</summary>
/// <remarks>
/// Entered-in-error and cancelled records are skipped silently (they never happened). A record with
/// a contract code whose value cannot be used (no time, an unconvertible unit, an implausible
/// value) is left out and listed in <see cref="ClinicalFacts.Excluded"/> with the reason, so the
/// card can say so; records with codes outside the contract are not ours and are ignored.
/// </remarks>
public static class ClinicalFactsMapper
{
    // Plausible range for a body temperature; outside it the record is a typing or unit error.
    private const decimal MinCelsius = 25m;
    private const decimal MaxCelsius = 45m;

    public static ClinicalFacts Map(Patient? patient, IEnumerable<Resource> resources)
    {
        var temps = new List<TemperatureReading>();
        var sbps = new List<SystolicPressureReading>();
        var hypotension = new List<HypotensionRecord>();
        var devices = new List<OxygenDeviceReading>();
        var flows = new List<OxygenFlowReading>();
        var admins = new List<DrugAdministration>();
        var infusions = new List<CarTInfusion>();
        var excluded = new List<ExcludedRecord>();
        var byId = resources.Where(r => r.TypedId is not null).GroupBy(r => r.TypedId!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        foreach (var resource in resources)
        {
            switch (resource)
            {
                case Observation o:
                    MapObservation(o, temps, sbps, hypotension, devices, flows, excluded);
                    break;
                case MedicationAdministration m:
                    MapAdministration(m, byId, admins, infusions, excluded);
                    break;
                case Procedure p when p.Code?.Has(DataContract.CarTCds, DataContract.CarTInfusion) == true:
                    MapInfusionProcedure(p, infusions, excluded);
                    break;
            }
        }

        DateOnly? birthDate = FhirDateTime.TryParseDate(patient?.BirthDate, out var bd) ? bd : null;
        if (patient is not null && birthDate is null)
        {
            excluded.Add(new ExcludedRecord(Source(patient), patient.BirthDate is null
                ? "no birthDate: age-dependent thresholds cannot be applied"
                : $"birthDate '{patient.BirthDate}' is not a full date: age-dependent thresholds cannot be applied"));
        }

        return new ClinicalFacts
        {
            PatientSource = patient is null ? null : Source(patient),
            BirthDate = birthDate,
            Temperatures = temps,
            SystolicPressures = sbps,
            HypotensionRecords = hypotension,
            OxygenDevices = devices,
            OxygenFlows = flows,
            Administrations = admins,
            Infusions = infusions,
            Excluded = excluded,
        };
    }

    private static void MapObservation(Observation o, List<TemperatureReading> temps, List<SystolicPressureReading> sbps,
        List<HypotensionRecord> hypotension, List<OxygenDeviceReading> devices, List<OxygenFlowReading> flows, List<ExcludedRecord> excluded)
    {
        var kind = KindOf(o.Code);
        if (kind == ObservationKind.None) return;
        if (o.Status is "entered-in-error" or "cancelled") return;
        var src = Source(o);
        if (o.Status is not ("final" or "amended" or "corrected" or "preliminary"))
        {
            excluded.Add(new ExcludedRecord(src, $"status '{o.Status ?? "(none)"}' is not a result (final, amended, corrected or preliminary)"));
            return;
        }
        var time = FhirDateTime.StartOf(o.EffectiveDateTime ?? o.EffectiveInstant ?? o.EffectivePeriod?.Start);
        if (time is null)
        {
            excluded.Add(new ExcludedRecord(src, "no usable effective time"));
            return;
        }
        var t = time.Value;

        switch (kind)
        {
            case ObservationKind.Temperature:
                if (ToCelsius(o.ValueQuantity) is not { } c)
                {
                    excluded.Add(new ExcludedRecord(src, $"temperature {Describe(o.ValueQuantity)}: not in Cel or [degF]"));
                }
                else if (c is < MinCelsius or > MaxCelsius)
                {
                    excluded.Add(new ExcludedRecord(src, $"temperature {c:0.#} °C is outside {MinCelsius}–{MaxCelsius} °C"));
                }
                else temps.Add(new TemperatureReading(t, c, src));
                break;

            case ObservationKind.SystolicPressure:
                AddSystolic(o.ValueQuantity, t, src, sbps, excluded);
                break;

            case ObservationKind.BloodPressurePanel:
                var sys = o.Component?.FirstOrDefault(c => c.Code?.Has(FhirSystems.Loinc, DataContract.LoincSystolicBp) == true);
                if (sys is not null) AddSystolic(sys.ValueQuantity, t, src, sbps, excluded);
                break;

            case ObservationKind.Hypotension:
                if (o.ValueBoolean == true) hypotension.Add(new HypotensionRecord(t, src));
                break;

            case ObservationKind.OxygenDelivery:
                var code = o.ValueCodeableConcept?.CodeIn(DataContract.CarTCds);
                if (DeviceOf(code) is { } device) devices.Add(new OxygenDeviceReading(t, device, src));
                else excluded.Add(new ExcludedRecord(src, $"oxygen delivery '{code ?? o.ValueCodeableConcept?.Text ?? "(none)"}' is not a cartcds device code"));
                break;

            case ObservationKind.OxygenFlow:
                if (o.ValueQuantity is { Value: { } lpm } q && IsLitresPerMinute(q) && lpm >= 0m && lpm <= 80m)
                {
                    flows.Add(new OxygenFlowReading(t, lpm, src));
                }
                else excluded.Add(new ExcludedRecord(src, $"oxygen flow {Describe(o.ValueQuantity)}: not a flow in L/min between 0 and 80"));
                break;
        }
    }

    private enum ObservationKind { None, Temperature, SystolicPressure, BloodPressurePanel, Hypotension, OxygenDelivery, OxygenFlow }

    private static ObservationKind KindOf(CodeableConcept? code)
    {
        if (code?.Coding is null) return ObservationKind.None;
        foreach (var c in code.Coding)
        {
            if (c.System == FhirSystems.Loinc)
            {
                switch (c.Code)
                {
                    case DataContract.LoincBodyTemperature: return ObservationKind.Temperature;
                    case DataContract.LoincSystolicBp: return ObservationKind.SystolicPressure;
                    case DataContract.LoincBloodPressurePanel: return ObservationKind.BloodPressurePanel;
                    case DataContract.LoincOxygenFlow: return ObservationKind.OxygenFlow;
                }
            }
            else if (c.System == DataContract.CarTCds)
            {
                switch (c.Code)
                {
                    case DataContract.Hypotension: return ObservationKind.Hypotension;
                    case DataContract.OxygenDelivery: return ObservationKind.OxygenDelivery;
                }
            }
        }
        return ObservationKind.None;
    }

    private static void AddSystolic(Quantity? q, DateTimeOffset t, string src, List<SystolicPressureReading> sbps, List<ExcludedRecord> excluded)
    {
        if (q is { Value: { } v } && (q.Code == "mm[Hg]" || (q.Code is null && q.Unit is "mmHg" or "mm[Hg]")) && v is > 0m and < 300m)
        {
            sbps.Add(new SystolicPressureReading(t, v, src));
        }
        else excluded.Add(new ExcludedRecord(src, $"systolic BP {Describe(q)}: not in mm[Hg] between 0 and 300"));
    }

    /// <summary>°C from a Quantity in UCUM Cel or [degF] (or those units written as display text); null otherwise.</summary>
    public static decimal? ToCelsius(Quantity? q)
    {
        if (q?.Value is not { } v) return null;
        var unit = q.Code ?? q.Unit;
        return unit switch
        {
            "Cel" or "°C" => v,
            "[degF]" or "°F" => Math.Round((v - 32m) * 5m / 9m, 2),
            _ => null,
        };
    }

    private static bool IsLitresPerMinute(Quantity q) => (q.Code ?? q.Unit) is "L/min" or "l/min";

    private static OxygenDevice? DeviceOf(string? code) => code switch
    {
        "room-air" => OxygenDevice.RoomAir,
        "blow-by" => OxygenDevice.BlowBy,
        "nasal-cannula" => OxygenDevice.NasalCannula,
        "high-flow-nasal-cannula" => OxygenDevice.HighFlowNasalCannula,
        "face-mask" => OxygenDevice.FaceMask,
        "non-rebreather-mask" => OxygenDevice.NonRebreatherMask,
        "venturi-mask" => OxygenDevice.VenturiMask,
        "cpap" => OxygenDevice.Cpap,
        "bipap" => OxygenDevice.Bipap,
        "mechanical-ventilation" => OxygenDevice.MechanicalVentilation,
        _ => null,
    };

    private static void MapAdministration(MedicationAdministration m, Dictionary<string, Resource> byId, List<DrugAdministration> admins,
        List<CarTInfusion> infusions, List<ExcludedRecord> excluded)
    {
        if (m.Status is "entered-in-error" or "not-done") return;
        var concept = m.MedicationCodeableConcept ?? MedicationCode(m, byId);
        var drug = DrugOf(concept);
        var isCarT = IsTisagenlecleucel(concept);
        if (drug is null && !isCarT) return;

        var src = Source(m);
        if (m.Status is not ("in-progress" or "completed" or "on-hold" or "stopped"))
        {
            excluded.Add(new ExcludedRecord(src, $"administration status '{m.Status ?? "(none)"}' does not say the drug was given"));
            return;
        }
        var start = FhirDateTime.StartOf(m.EffectiveDateTime ?? m.EffectivePeriod?.Start);
        if (start is null)
        {
            excluded.Add(new ExcludedRecord(src, "no usable effective time"));
            return;
        }
        if (isCarT)
        {
            infusions.Add(new CarTInfusion(start.Value, src));
            return;
        }
        var end = FhirDateTime.StartOf(m.EffectivePeriod?.End);
        var ongoing = m.Status == "in-progress" && end is null;
        admins.Add(new DrugAdministration(drug!.Value, start.Value, end, ongoing, DoseMg(m.Dosage?.Dose), src));
    }

    private static CodeableConcept? MedicationCode(MedicationAdministration m, Dictionary<string, Resource> byId)
    {
        if (m.ResolveContained<Medication>(m.MedicationReference) is { } contained) return contained.Code;
        var r = m.MedicationReference?.ReferenceValue;
        return r is not null && byId.TryGetValue(r, out var res) && res is Medication med ? med.Code : null;
    }

    /// <summary>RxNorm codes of DATA-CONTRACT.md.</summary>
    public static Drug? DrugOf(CodeableConcept? concept) => concept?.CodeIn(FhirSystems.RxNorm) switch
    {
        "7512" => Drug.Norepinephrine,
        "3992" => Drug.Epinephrine,
        "3628" => Drug.Dopamine,
        "8163" => Drug.Phenylephrine,
        "11149" => Drug.Vasopressin,
        "612865" => Drug.Tocilizumab,
        "3264" => Drug.Dexamethasone,
        "6902" => Drug.Methylprednisolone,
        "8640" => Drug.Prednisone,
        "161" => Drug.Acetaminophen,
        "5640" => Drug.Ibuprofen,
        _ => null,
    };

    /// <summary>Tisagenlecleucel by NDC 0078-0846 (any package suffix) or by name.</summary>
    public static bool IsTisagenlecleucel(CodeableConcept? concept)
    {
        if (concept is null) return false;
        if (concept.Coding?.Any(c => c.System == FhirSystems.Ndc && c.Code is { } code
            && (code == DataContract.TisagenlecleucelNdc || code.StartsWith(DataContract.TisagenlecleucelNdc + "-", StringComparison.Ordinal))) == true)
        {
            return true;
        }
        static bool Named(string? s) => s is not null && (s.Contains("tisagenlecleucel", StringComparison.OrdinalIgnoreCase) || s.Contains("kymriah", StringComparison.OrdinalIgnoreCase));
        return Named(concept.Text) || concept.Coding?.Any(c => Named(c.Display)) == true;
    }

    private static decimal? DoseMg(Quantity? q) => q?.Value is not { } v ? null : (q.Code ?? q.Unit) switch
    {
        "mg" => v,
        "g" => v * 1000m,
        _ => null,
    };

    private static void MapInfusionProcedure(Procedure p, List<CarTInfusion> infusions, List<ExcludedRecord> excluded)
    {
        if (p.Status is "entered-in-error" or "not-done") return;
        var src = Source(p);
        if (p.Status != "completed")
        {
            excluded.Add(new ExcludedRecord(src, $"CAR-T infusion status '{p.Status ?? "(none)"}' is not completed"));
            return;
        }
        var t = FhirDateTime.StartOf(p.PerformedDateTime ?? p.PerformedPeriod?.Start);
        if (t is null) excluded.Add(new ExcludedRecord(src, "CAR-T infusion without a performed time"));
        else infusions.Add(new CarTInfusion(t.Value, src));
    }

    private static string Source(Resource r) => r.TypedId ?? $"{r.ResourceType}/(no id)";

    private static string Describe(Quantity? q) => q is null
        ? "(no value)"
        : $"{q.Value?.ToString(CultureInfo.InvariantCulture) ?? "(no value)"} {q.Code ?? q.Unit ?? "(no unit)"}";
}
