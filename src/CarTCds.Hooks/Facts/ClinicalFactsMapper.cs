using System.Globalization;
using CarTCds.Fhir;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Prefetch;
using CarTCds.Rules;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Facts;

/// <summary>FHIR resources → <see cref="ClinicalFacts"/>, by the codes of docs/DATA-CONTRACT.md.</summary>
/// <remarks>
/// Every record the rules use is first checked against its FHIR profile (profiles/, through
/// <see cref="ProfileValidator"/>): the profiles, not this class, hold the plausible ranges, units,
/// bindings and statuses. A withdrawn record (entered-in-error, cancelled …) is skipped silently (it
/// never happened); one that breaks its profile, or whose value cannot be used here (an unparsable
/// time, a unit this class cannot convert), is left out and listed in
/// <see cref="ClinicalFacts.Excluded"/> with the reason, so the card can say so; records with codes
/// outside the contract are not ours and are ignored.
/// One partial file per feature: vitals and drugs here; neurology, labs, disease history and
/// draft orders beside it.
/// </remarks>
public static partial class ClinicalFactsMapper
{
    /// <summary>Maps a Bundle holding one patient's record (a sandbox story, <c>cartcds timeline --bundle</c>):
    /// its single Patient and every resource in it.</summary>
    /// <exception cref="ArgumentException">The Bundle holds no Patient or more than one.</exception>
    public static ClinicalFacts MapRecord(Bundle record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var resources = record.Resources().ToList();
        var patients = resources.OfType<Patient>().ToList();
        if (patients.Count != 1) throw new ArgumentException($"The bundle must hold exactly one Patient (it holds {patients.Count}).", nameof(record));
        return Map(patients[0], resources);
    }

    /// <summary>Maps the patient's resources (and, for order hooks, the draft orders).</summary>
    /// <param name="patient">The patient (birth date), or null.</param>
    /// <param name="resources">The patient's resources.</param>
    /// <param name="draftOrders">The order hook's draft orders, or null.</param>
    /// <param name="profiles">The profiles records are checked against; default <see cref="ProfileValidator.Default"/>.</param>
    /// <param name="leftOut">Records already left out before mapping (not shown to be this
    /// patient's, <see cref="PatientRecord.LeftOut"/>): listed first in <see cref="ClinicalFacts.Excluded"/>;
    /// a CAR-T infusion record among them is named in <see cref="ClinicalFacts.InfusionRecordsLeftOut"/>.</param>
    public static ClinicalFacts Map(Patient? patient, IEnumerable<Resource> resources, Bundle? draftOrders = null, ProfileValidator? profiles = null,
        IEnumerable<LeftOutRecord>? leftOut = null)
    {
        var c = new Collector(profiles ?? ProfileValidator.Default);
        var all = resources as IReadOnlyCollection<Resource> ?? resources.ToList();
        var byId = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var r in all)
        {
            // Only Medications are ever looked up (medicationReference).
            if (r is Medication && r.TypedId is { } id) byId.TryAdd(id, r);
        }
        foreach (var l in leftOut ?? [])
        {
            c.Excluded.Add(l.Excluded);
            // Still the chart's CAR-T infusion record, though not usable: the chart must not fall silent.
            if (IsInfusionRecord(l.Resource, byId, c)) c.InfusionsLeftOut.Add(l.Source);
        }

        foreach (var resource in all)
        {
            switch (resource)
            {
                case Observation o:
                    MapObservation(o, c);
                    break;
                case MedicationAdministration m:
                    MapAdministration(m, byId, c);
                    break;
                case MedicationStatement s:
                    MapStatement(s, byId, c);
                    break;
                case Procedure p:
                    MapProcedure(p, c);
                    break;
                case Condition cond:
                    MapCondition(cond, c);
                    break;
            }
        }
        if (draftOrders is not null) MapDraftOrders(draftOrders, byId, c);

        if (patient is not null) c.NoteUnread(patient);
        DateOnly? birthDate = FhirDateTime.TryParseDate(patient?.BirthDate, out var bd) ? bd : null;
        if (patient is not null && birthDate is null)
        {
            c.Excluded.Add(new ExcludedRecord(Source(patient), patient.BirthDate is null
                ? "no birthDate: age-dependent thresholds cannot be applied"
                : $"birthDate '{patient.BirthDate}' is not a full date: age-dependent thresholds cannot be applied"));
        }

        return new ClinicalFacts
        {
            PatientSource = patient is null ? null : Source(patient),
            BirthDate = birthDate,
            Temperatures = c.Temperatures,
            SystolicPressures = c.Systolic,
            HypotensionRecords = c.Hypotension,
            OxygenDevices = c.Devices,
            OxygenFlows = c.Flows,
            Administrations = c.Administrations,
            Infusions = c.Infusions,
            IceScores = c.Ice,
            CapdScores = c.Capd,
            Consciousness = c.Consciousness,
            Seizures = c.Seizures,
            MotorWeakness = c.Motor,
            CerebralEdema = c.Edema,
            Labs = c.Labs,
            Weights = c.Weights,
            Diagnoses = c.Diagnoses,
            DiseaseStatus = c.DiseaseStatus,
            Cd19Expression = c.Cd19,
            MarrowBlasts = c.Blasts,
            CnsStatus = c.Cns,
            Transplants = c.Transplants,
            ActiveGvhd = c.Gvhd,
            PriorCd19Therapy = c.PriorCd19,
            PerformanceStatus = c.Performance,
            NotableConditions = c.Notable,
            DraftOrders = c.DraftOrders,
            Excluded = c.Excluded,
            InfusionRecordsLeftOut = c.InfusionsLeftOut,
            PartlyRead = c.PartlyRead,
        };
    }

    private sealed class Collector(ProfileValidator profiles)
    {
        public ProfileValidator Profiles { get; } = profiles;
        public DrugCodes Drugs { get; } = DrugCodes.For(profiles);

        public List<TemperatureReading> Temperatures { get; } = [];
        public List<SystolicPressureReading> Systolic { get; } = [];
        public List<HypotensionRecord> Hypotension { get; } = [];
        public List<OxygenDeviceReading> Devices { get; } = [];
        public List<OxygenFlowReading> Flows { get; } = [];
        public List<DrugAdministration> Administrations { get; } = [];
        public List<CarTInfusion> Infusions { get; } = [];
        public List<IceScore> Ice { get; } = [];
        public List<CapdScore> Capd { get; } = [];
        public List<ConsciousnessReading> Consciousness { get; } = [];
        public List<SeizureEvent> Seizures { get; } = [];
        public List<MotorWeakness> Motor { get; } = [];
        public List<CerebralEdema> Edema { get; } = [];
        public List<LabResult> Labs { get; } = [];
        public List<BodyWeight> Weights { get; } = [];
        public List<Diagnosis> Diagnoses { get; } = [];
        public List<DiseaseStatusEvent> DiseaseStatus { get; } = [];
        public List<Cd19Expression> Cd19 { get; } = [];
        public List<MarrowBlasts> Blasts { get; } = [];
        public List<CnsStatusReading> Cns { get; } = [];
        public List<AllogeneicTransplant> Transplants { get; } = [];
        public List<ActiveGvhd> Gvhd { get; } = [];
        public List<PriorCd19Therapy> PriorCd19 { get; } = [];
        public List<PerformanceStatus> Performance { get; } = [];
        public List<NotableCondition> Notable { get; } = [];
        public List<DraftOrder> DraftOrders { get; } = [];
        public List<ExcludedRecord> Excluded { get; } = [];
        public List<string> InfusionsLeftOut { get; } = [];
        public List<ExcludedRecord> PartlyRead { get; } = [];

        public void Exclude(Resource r, string reason) => Excluded.Add(new ExcludedRecord(Source(r), reason));

        /// <summary>Says what the records left out since <paramref name="from"/> (an index into
        /// <see cref="Excluded"/>) would have been and when, so the card they concern names them.</summary>
        public void Describe(int from, RecordKind kind, DateTimeOffset? time)
        {
            for (var i = from; i < Excluded.Count; i++) Excluded[i] = Excluded[i] with { Kind = kind, Time = time };
        }

        /// <summary>False when the record is withdrawn (skipped) or breaks its profile (excluded, with the reason).</summary>
        public bool Conforms(Resource r, CodeableConcept? code = null)
        {
            var check = Profiles.Check(r, code, recognised: true);
            if (check.Outcome == ProfileOutcome.Invalid) Exclude(r, check.Reason);
            var used = check.Outcome is not (ProfileOutcome.Void or ProfileOutcome.Invalid);
            if (used) NoteUnread(r);
            return used;
        }

        /// <summary>A record in use whose malformed elements were skipped on read (no rule reads them): the cards name them.</summary>
        public void NoteUnread(Resource r)
        {
            if (r.UnreadElements.Count > 0) PartlyRead.Add(new ExcludedRecord(Source(r), string.Join(", ", r.UnreadElements)));
        }
    }

    private static void MapObservation(Observation o, Collector c)
    {
        var kind = KindOf(o.Code);
        if (kind == ObservationKind.None) return;
        var time = FhirDateTime.StartOf(o.EffectiveDateTime ?? o.EffectiveInstant ?? o.EffectivePeriod?.Start);
        var excludedBefore = c.Excluded.Count;
        MapObservation(o, kind, time, c);
        c.Describe(excludedBefore, RecordKindOf(kind), time);
    }

    private static RecordKind RecordKindOf(ObservationKind kind) => kind switch
    {
        ObservationKind.Temperature => RecordKind.Temperature,
        ObservationKind.SystolicPressure or ObservationKind.BloodPressurePanel or ObservationKind.Hypotension => RecordKind.Haemodynamics,
        ObservationKind.OxygenDelivery or ObservationKind.OxygenFlow => RecordKind.Oxygen,
        ObservationKind.Ice or ObservationKind.Capd or ObservationKind.Consciousness or ObservationKind.Seizure
            or ObservationKind.Motor or ObservationKind.Edema => RecordKind.Neurological,
        ObservationKind.Lab => RecordKind.Laboratory,
        ObservationKind.Weight => RecordKind.Weight,
        _ => RecordKind.DiseaseHistory,
    };

    private static void MapObservation(Observation o, ObservationKind kind, DateTimeOffset? time, Collector c)
    {
        if (!c.Conforms(o)) return;
        if (time is null)
        {
            c.Exclude(o, "no usable effective time");
            return;
        }
        var t = time.Value;
        var src = Source(o);

        switch (kind)
        {
            case ObservationKind.Temperature:
                if (ToCelsius(o.ValueQuantity) is not { } celsius) c.Exclude(o, $"temperature {Describe(o.ValueQuantity)}: not in Cel or [degF]");
                else c.Temperatures.Add(new TemperatureReading(t, celsius, src));
                break;

            case ObservationKind.SystolicPressure:
                AddSystolic(o, o.ValueQuantity, t, c);
                break;

            case ObservationKind.BloodPressurePanel:
                var sys = o.Component?.FirstOrDefault(x => x.Code?.Has(FhirSystems.Loinc, DataContract.LoincSystolicBp) == true);
                if (sys is not null) AddSystolic(o, sys.ValueQuantity, t, c);
                break;

            case ObservationKind.Hypotension:
                if (o.ValueBoolean == true) c.Hypotension.Add(new HypotensionRecord(t, src));
                break;

            case ObservationKind.OxygenDelivery:
                var code = o.ValueCodeableConcept?.CodeIn(DataContract.CarTCds);
                if (DeviceOf(code) is { } device) c.Devices.Add(new OxygenDeviceReading(t, device, src));
                else c.Exclude(o, $"oxygen delivery '{code ?? o.ValueCodeableConcept?.Text ?? "(none)"}' is not a cartcds device code");
                break;

            case ObservationKind.OxygenFlow:
                if (o.ValueQuantity is { Value: { } lpm } q && (q.Code ?? q.Unit) is "L/min" or "l/min") c.Flows.Add(new OxygenFlowReading(t, lpm, src));
                else c.Exclude(o, $"oxygen flow {Describe(o.ValueQuantity)}: not a flow in L/min");
                break;

            default:
                MapClinicalObservation(kind, o, t, c);
                break;
        }
    }

    /// <summary>The Observation codes a rule reads, with how far back: the codes that select an Observation
    /// profile in <paramref name="profiles"/> (<see cref="ProfileValidator.SelectingCodes"/>) and that
    /// <see cref="ReachOf"/> maps. The one list behind the Observation prefetch query and the hook request
    /// reader's relevance (an Observation with none of these codes is skipped unread, <see cref="CarTCds.Fhir.Serialization.ObservationRelevance"/>).</summary>
    public static IReadOnlyList<(string System, string Code, ObservationReach Reach)> ObservationCodesRead(ProfileValidator profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        return profiles.SelectingCodes("Observation")
            .Select(c => (c.System, c.Code, Reach: ReachOf(c.System, c.Code)))
            .Where(c => c.Reach is not null)
            .Select(c => (c.System, c.Code, c.Reach!.Value))
            .ToList();
    }

    /// <summary>How far back the rules read an Observation of this code (system, code); null when
    /// no rule reads it. The Observation queries are built from this and the profiles' codes.</summary>
    public static ObservationReach? ReachOf(string? system, string? code) => KindOf(new CodeableConcept { Coding = [new Coding { System = system, Code = code }] }) switch
    {
        ObservationKind.None => null,
        // Read at any age: the latest weight (its age is shown), relapse history and the pre-infusion
        // work-up (eligibility, tumour burden), and a seizure before infusion (levetiracetam advice).
        ObservationKind.Weight or ObservationKind.DiseaseStatus or ObservationKind.Cd19 or ObservationKind.MarrowBlasts
            or ObservationKind.Cns or ObservationKind.Karnofsky or ObservationKind.Lansky or ObservationKind.Seizure => ObservationReach.WholeHistory,
        // Read within the rules' look-back windows around the infusion and the evaluation time.
        ObservationKind.Temperature or ObservationKind.SystolicPressure or ObservationKind.BloodPressurePanel or ObservationKind.Hypotension
            or ObservationKind.OxygenDelivery or ObservationKind.OxygenFlow or ObservationKind.Ice or ObservationKind.Capd
            or ObservationKind.Consciousness or ObservationKind.Motor or ObservationKind.Edema or ObservationKind.Lab => ObservationReach.Recent,
        _ => throw new System.Diagnostics.UnreachableException("every ObservationKind has a reach"),
    };

    private enum ObservationKind
    {
        None, Temperature, SystolicPressure, BloodPressurePanel, Hypotension, OxygenDelivery, OxygenFlow,
        Ice, Capd, Consciousness, Seizure, Motor, Edema, Lab, Weight,
        DiseaseStatus, Cd19, MarrowBlasts, Cns, Karnofsky, Lansky,
    }

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
                    case DataContract.LoincBodyWeight: return ObservationKind.Weight;
                    case DataContract.LoincKarnofsky: return ObservationKind.Karnofsky;
                }
                if (LabOf(c.Code) is not null) return ObservationKind.Lab;
            }
            else if (c.System == DataContract.CarTCds)
            {
                switch (c.Code)
                {
                    case DataContract.Hypotension: return ObservationKind.Hypotension;
                    case DataContract.OxygenDelivery: return ObservationKind.OxygenDelivery;
                    case DataContract.IceScore: return ObservationKind.Ice;
                    case DataContract.CapdScore: return ObservationKind.Capd;
                    case DataContract.Consciousness: return ObservationKind.Consciousness;
                    case DataContract.Seizure: return ObservationKind.Seizure;
                    case DataContract.MotorWeakness: return ObservationKind.Motor;
                    case DataContract.CerebralEdema: return ObservationKind.Edema;
                    case DataContract.DiseaseStatus: return ObservationKind.DiseaseStatus;
                    case DataContract.Cd19Expression: return ObservationKind.Cd19;
                    case DataContract.MarrowBlasts: return ObservationKind.MarrowBlasts;
                    case DataContract.CnsStatus: return ObservationKind.Cns;
                    case DataContract.Lansky: return ObservationKind.Lansky;
                }
            }
        }
        return ObservationKind.None;
    }

    private static void AddSystolic(Observation o, Quantity? q, DateTimeOffset t, Collector c)
    {
        // Range and unit are the profile's (cartcds-systolic-bp, cartcds-blood-pressure-panel).
        if (q is { Value: { } v } && (q.Code == "mm[Hg]" || (q.Code is null && q.Unit is "mmHg" or "mm[Hg]"))) c.Systolic.Add(new SystolicPressureReading(t, v, Source(o)));
        else c.Exclude(o, $"systolic BP {Describe(q)}: not in mm[Hg]");
    }

    /// <summary>°C from a Quantity in UCUM Cel or [degF] (or those units written as display text); null otherwise.</summary>
    public static decimal? ToCelsius(Quantity? q)
    {
        if (q?.Value is not { } v) return null;
        return (q.Code ?? q.Unit) switch
        {
            "Cel" or "°C" => v,
            "[degF]" or "°F" => Math.Round((v - 32m) * 5m / 9m, 2),
            _ => null,
        };
    }

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

    private static void MapAdministration(MedicationAdministration m, Dictionary<string, Resource> byId, Collector c)
    {
        var (concept, known) = Medication(m, m.MedicationCodeableConcept, m.MedicationReference, byId, c);
        var drug = known?.Drug;
        var isCarT = IsTisagenlecleucel(concept);
        var isCd19 = IsCd19Directed(concept);
        var excludedBefore = c.Excluded.Count;
        var start = FhirDateTime.StartOf(m.EffectiveDateTime ?? m.EffectivePeriod?.Start);
        if (drug is null && !isCarT && !isCd19)
        {
            // Silence is the worst failure: a vasopressor, steroid or tocilizumab given under a product code the
            // lists lack would change a grade unseen. It is named on the card it concerns, never counted (docs/DATA-CONTRACT.md).
            if (m.Status is not ("entered-in-error" or "not-done") && c.Drugs.NamedWithoutKnownCode(concept) is { } named)
            {
                c.Exclude(m, $"'{ConceptText(concept)}' names {named.Name}, but none of its codes is in {DrugCodes.ValueSetFile(named.Drug)}: not counted (a site adds its code there)");
                c.Describe(excludedBefore, RecordKind.Drug, start);
            }
            return;
        }
        var kind = isCarT ? RecordKind.Infusion : isCd19 ? RecordKind.DiseaseHistory : RecordKind.Drug;
        if (!c.Conforms(m, concept))
        {
            c.Describe(excludedBefore, kind, start);
            if (isCarT && c.Excluded.Count > excludedBefore) c.InfusionsLeftOut.Add(Source(m));
            return;
        }
        if (start is null)
        {
            c.Exclude(m, "no usable effective time");
            c.Describe(excludedBefore, kind, null);
            if (isCarT) c.InfusionsLeftOut.Add(Source(m));
            return;
        }
        if (isCarT)
        {
            c.Infusions.Add(new CarTInfusion(start.Value, Source(m)));
            return;
        }
        if (isCd19)
        {
            c.PriorCd19.Add(new PriorCd19Therapy(start, ConceptText(concept), Source(m)));
            return;
        }
        var end = FhirDateTime.StartOf(m.EffectivePeriod?.End);
        var ongoing = m.Status == "in-progress" && end is null;
        c.Administrations.Add(new DrugAdministration(drug!.Value, start.Value, end, ongoing, DrugCodes.DoseMg(m.Dosage?.Dose, known!.Strength), Source(m)));
    }

    private static void MapStatement(MedicationStatement s, Dictionary<string, Resource> byId, Collector c)
    {
        var (concept, known) = Medication(s, s.MedicationCodeableConcept, s.MedicationReference, byId, c);
        if ((known?.Drug == Drug.Blinatumomab || IsCd19Directed(concept)) && c.Conforms(s, concept))
        {
            c.PriorCd19.Add(new PriorCd19Therapy(FhirDateTime.StartOf(s.EffectiveDateTime ?? s.EffectivePeriod?.Start), ConceptText(concept), Source(s)));
        }
    }

    /// <summary>What was given or ordered: the medication[x] concept (for a medicationReference, the
    /// contained or prefetched Medication's code) and the drug the profiles know it as — by the code,
    /// else by the Medication's active ingredient (profiles/ValueSet/drug-*).</summary>
    private static (CodeableConcept? Concept, KnownDrugCode? Known) Medication(DomainResource owner, CodeableConcept? codeable, Reference? reference,
        Dictionary<string, Resource> byId, Collector c)
    {
        if (codeable is not null) return (codeable, c.Drugs.Find(codeable));
        var medication = owner.ResolveContained<Medication>(reference)
            ?? (reference?.ReferenceValue is { } r && byId.TryGetValue(r, out var res) ? res as Medication : null);
        if (medication is null) return (null, null);
        var known = c.Drugs.Find(medication);
        // Profiles match by code: a Medication known only by its ingredient is matched by that ingredient.
        var concept = known is null || c.Drugs.Find(medication.Code) is not null
            ? medication.Code
            : medication.Ingredient!.First(i => c.Drugs.Find(i.ItemCodeableConcept) is not null).ItemCodeableConcept;
        return (concept, known);
    }

    /// <summary>The drug a code names, by the medication code lists of profiles/ (ingredient or
    /// product, <see cref="DrugCodes"/>); null when none knows it.</summary>
    public static Drug? DrugOf(CodeableConcept? concept) => DrugCodes.Default.Find(concept)?.Drug;

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

    private static bool IsCd19Directed(CodeableConcept? concept) =>
        concept is not null && (concept.Has(FhirSystems.RxNorm, DataContract.RxNormBlinatumomab) || concept.Has(DataContract.CarTCds, DataContract.Cd19DirectedTherapy));

    /// <summary>A CAR-T infusion record, whatever its state: the Procedure cartcds#car-t-infusion or a
    /// tisagenlecleucel administration (by code, or by its Medication's).</summary>
    private static bool IsInfusionRecord(Resource r, Dictionary<string, Resource> byId, Collector c) => r switch
    {
        Procedure p => IsInfusionProcedure(p),
        MedicationAdministration m => IsTisagenlecleucel(Medication(m, m.MedicationCodeableConcept, m.MedicationReference, byId, c).Concept),
        _ => false,
    };

    private static bool IsInfusionProcedure(Procedure p) => p.Code?.Has(DataContract.CarTCds, DataContract.CarTInfusion) == true;

    private static void MapProcedure(Procedure p, Collector c)
    {
        var isInfusion = IsInfusionProcedure(p);
        var isSct = p.Code?.Has(DataContract.CarTCds, DataContract.AllogeneicHsct) == true || p.Code?.Has(FhirSystems.Snomed, DataContract.SnomedAllogeneicHsct) == true;
        if (!isInfusion && !isSct) return;
        var excludedBefore = c.Excluded.Count;
        var t = FhirDateTime.StartOf(p.PerformedDateTime ?? p.PerformedPeriod?.Start);
        var kind = isInfusion ? RecordKind.Infusion : RecordKind.DiseaseHistory;
        if (!c.Conforms(p))
        {
            c.Describe(excludedBefore, kind, t);
            if (isInfusion && c.Excluded.Count > excludedBefore) c.InfusionsLeftOut.Add(Source(p));
            return;
        }
        var what = isInfusion ? "CAR-T infusion" : "allogeneic SCT";
        if (t is null)
        {
            c.Exclude(p, $"{what} without a performed time");
            c.Describe(excludedBefore, kind, null);
            if (isInfusion) c.InfusionsLeftOut.Add(Source(p));
        }
        else if (isInfusion) c.Infusions.Add(new CarTInfusion(t.Value, Source(p)));
        else c.Transplants.Add(new AllogeneicTransplant(t.Value, Source(p)));
    }

    private static string Source(Resource r) => r.TypedId ?? $"{r.ResourceType}/(no id)";

    /// <summary>A medication's codes as <c>system|code</c> (a code without a system as itself), for the cards that name them.</summary>
    private static List<string> CodesOf(CodeableConcept? c) =>
        [.. (c?.Coding ?? []).Where(x => x.Code is not null).Select(x => x.System is null ? x.Code! : $"{x.System}|{x.Code}")];

    private static string ConceptText(CodeableConcept? c) =>
        c?.Text ?? c?.Coding?.FirstOrDefault(x => x.Display is not null)?.Display ?? c?.Coding?.FirstOrDefault()?.Code ?? "(uncoded)";

    private static string Describe(Quantity? q) => q is null
        ? "(no value)"
        : $"{q.Value?.ToString(CultureInfo.InvariantCulture) ?? "(no value)"} {q.Code ?? q.Unit ?? "(no unit)"}";
}
