using System.Globalization;
using CarTCds.Fhir.Model;

namespace CarTCds.Benchmarks;

/// <summary>A generated CAR-T patient with exactly <c>observationCount</c> Observations spread over
/// the 14 days after the infusion, as a transaction Bundle in the shape of profiles/examples
/// (same codes, units and subject references). Deterministic: the same count gives the same Bundle.</summary>
/// <remarks>
/// Storyline (day 0 = infusion at <see cref="Infusion"/>; evaluation at <see cref="Now"/> = day 14):
/// days 0–3 afebrile on room air; day 3 fever (CRS 1); days 4–6 fever 39–39.8 °C, SBP in the 80s on
/// norepinephrine, face mask 8 L/min (CRS 3), tocilizumab on day 4, ICE 8 on day 5; days 6–8 afebrile
/// on nasal cannula 3 L/min (masked fever: CRS 2); days 8–12.5 recovered; from day 12.5 fever again on
/// nasal cannula 2 L/min, so the 24 h window at evaluation grades CRS 2 and the card carries a
/// tocilizumab dose. The Observations are: 1 body weight; ICE score + level of consciousness pairs
/// (≈ 4 % of N); labs cycling through ferritin, CRP, fibrinogen, AST, ALT, bilirubin, creatinine, LDH,
/// platelets and neutrophils (≈ 5 %); the rest vitals rounds evenly spaced from day 0 to just before
/// evaluation, each round a temperature, a BP panel, an oxygen-delivery device and either an O₂ flow
/// (on oxygen) or an SpO₂ (on room air: a code outside the data contract, which the mapper ignores).
/// Plus 8 MedicationAdministrations (tisagenlecleucel, norepinephrine, tocilizumab, 4 acetaminophen,
/// dexamethasone), the infusion Procedure and the B-ALL Condition.
/// </remarks>
public static class SyntheticPatient
{
    public const string PatientId = "bench-cart-patient";

    public static readonly DateTimeOffset Infusion = new(2013, 5, 7, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Evaluation instant: day 14 after the infusion.</summary>
    public static readonly DateTimeOffset Now = Infusion.AddDays(14);

    private const string Subject = "Patient/" + PatientId;
    private const string Loinc = FhirSystems.Loinc;
    private const string CarTCds = "http://cartcds.org/fhir/CodeSystem/cartcds";
    private const string ObsCategory = FhirSystems.ObservationCategory;

    private static readonly (string Loinc, string Display, string Unit, decimal Normal, decimal Peak, decimal High)[] LabPanel =
    [
        ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "ng/mL", 850m, 2600m, 300m),
        ("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 8m, 180m, 5m),
        ("3255-7", "Fibrinogen [Mass/volume] in Platelet poor plasma", "mg/dL", 320m, 180m, 400m),
        ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 28m, 95m, 40m),
        ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 30m, 110m, 45m),
        ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.6m, 1.4m, 1.2m),
        ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6m, 1.1m, 1.0m),
        ("2532-0", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 240m, 610m, 250m),
        ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*9/L", 95m, 40m, 400m),
        ("751-8", "Neutrophils [#/volume] in Blood by Automated count", "10*9/L", 1.2m, 0.4m, 7.5m),
    ];

    /// <summary>The patient's transaction Bundle with exactly <paramref name="observationCount"/>
    /// Observations, of which only <paramref name="relevantCount"/> (default: all) are the storyline
    /// above; the rest are what a real chart also holds and no rule reads: vitals and common labs whose
    /// codes are outside the data contract (<see cref="Irrelevant"/>), one every 7 minutes back from the
    /// infusion. The hook request reader skips them unread (issue 21).</summary>
    public static Bundle Create(int observationCount, int? relevantCount = null)
    {
        if (relevantCount is not { } relevant || relevant == observationCount) return CreateStoryline(observationCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(relevant, observationCount);
        var bundle = CreateStoryline(relevant);
        for (var i = 0; i < observationCount - relevant; i++)
        {
            var (code, display, category, unit, normal) = Irrelevant[i % Irrelevant.Length];
            var observation = Quantity($"bench-other-{i:D6}", category, Loinc, code, display, Infusion.AddMinutes(-7 * (i + 1)), normal + (i % 7), unit, unit);
            bundle.Entry!.Add(new BundleEntry { Resource = observation, Request = new BundleEntryRequest { Method = "PUT", Url = $"Observation/{observation.Id}" } });
        }
        return bundle;
    }

    /// <summary>LOINC codes a chart is full of and no rule reads (outside the data contract).</summary>
    public static readonly (string Loinc, string Display, string Category, string Unit, decimal Normal)[] Irrelevant =
    [
        ("8867-4", "Heart rate", "vital-signs", "/min", 90m),
        ("9279-1", "Respiratory rate", "vital-signs", "/min", 18m),
        ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "laboratory", "mmol/L", 136m),
        ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "laboratory", "mmol/L", 4m),
        ("718-7", "Hemoglobin [Mass/volume] in Blood", "laboratory", "g/dL", 10m),
        ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "laboratory", "mg/dL", 90m),
    ];

    private static Bundle CreateStoryline(int observationCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observationCount, 4);
        var random = new Random(20130507);
        var resources = new List<Resource>
        {
            new Patient
            {
                Id = PatientId,
                Active = true,
                Name = [new HumanName { Use = "official", Family = "Benchmark", Given = ["Synthetic"], Text = "Synthetic Benchmark" }],
                Gender = "female",
                BirthDate = "1998-03-14",
            },
            new Condition
            {
                Id = "bench-dx-ball",
                ClinicalStatus = new CodeableConcept(FhirSystems.ConditionClinical, "active", "Active"),
                VerificationStatus = new CodeableConcept(FhirSystems.ConditionVerification, "confirmed", "Confirmed"),
                Code = new CodeableConcept(FhirSystems.Snomed, "277571004", "B-cell acute lymphoblastic leukemia (disorder)", "B-cell acute lymphoblastic leukemia"),
                Subject = new Reference(Subject),
                OnsetDateTime = "2002-07-15T09:00:00Z",
            },
            new Procedure
            {
                Id = "bench-car-t-infusion",
                Status = "completed",
                Code = new CodeableConcept(CarTCds, "car-t-infusion", "CAR T-cell infusion"),
                Subject = new Reference(Subject),
                PerformedDateTime = Instant(Infusion),
            },
        };
        resources.AddRange(Administrations());

        var observations = new List<Observation>(observationCount);
        var seq = 0;
        string NextId(string kind) => $"bench-{kind}-{++seq:D6}";

        // 1 body weight (day 0, before the infusion).
        observations.Add(Quantity(NextId("weight"), "vital-signs", Loinc, "29463-7", "Body weight", Infusion.AddHours(-2), 52.0m, "kg", "kg"));

        var neuroPairs = Math.Max(1, observationCount / 50);
        var labs = Math.Max(1, observationCount / 20);
        var vitals = observationCount - 1 - 2 * neuroPairs - labs;
        if (vitals < 1) (neuroPairs, labs, vitals) = (1, 0, observationCount - 3);

        var window = Now - Infusion;
        for (var i = 0; i < neuroPairs; i++)
        {
            var t = Spread(i, neuroPairs, window);
            var day = (t - Infusion).TotalDays;
            var ice = day is >= 5 and < 6 ? 8 : 10;
            observations.Add(new Observation
            {
                Id = NextId("ice"),
                Status = "final",
                Category = [new CodeableConcept(ObsCategory, "survey", "Survey")],
                Code = new CodeableConcept(CarTCds, "ice-score", "Immune effector Cell-associated Encephalopathy (ICE) score"),
                Subject = new Reference(Subject),
                EffectiveDateTime = Instant(t),
                ValueInteger = ice,
            });
            observations.Add(new Observation
            {
                Id = NextId("loc"),
                Status = "final",
                Category = [new CodeableConcept(ObsCategory, "exam", "Exam")],
                Code = new CodeableConcept(CarTCds, "consciousness", "Level of consciousness"),
                Subject = new Reference(Subject),
                EffectiveDateTime = Instant(t),
                ValueCodeableConcept = new CodeableConcept(CarTCds, "alert", "Alert"),
            });
        }

        for (var i = 0; i < labs; i++)
        {
            var t = Spread(i, labs, window).AddMinutes(-1);
            var lab = LabPanel[i % LabPanel.Length];
            var day = (t - Infusion).TotalDays;
            var inflamed = day is >= 3.5 and < 8;
            var value = Math.Round(inflamed ? lab.Peak : lab.Normal * (0.9m + (decimal)random.NextDouble() * 0.2m), 2);
            var o = Quantity(NextId("lab"), "laboratory", Loinc, lab.Loinc, lab.Display, t, value, lab.Unit, lab.Unit);
            o.ReferenceRange = [new ObservationReferenceRange { High = new Quantity(lab.High, lab.Unit) }];
            observations.Add(o);
        }

        // Vitals rounds: temperature, BP panel, oxygen device, then O₂ flow (on oxygen) or SpO₂ (room air).
        var rounds = (vitals + 3) / 4;
        var added = 0;
        for (var r = 0; r < rounds && added < vitals; r++)
        {
            var t = Spread(r, rounds, window);
            var day = (t - Infusion).TotalDays;
            var (celsius, systolic, device, flow) = Vitals(day, random);

            observations.Add(Quantity(NextId("temp"), "vital-signs", Loinc, "8310-5", "Body temperature", t, celsius, "Cel", "°C"));
            if (++added == vitals) break;

            observations.Add(new Observation
            {
                Id = NextId("bp"),
                Status = "final",
                Category = [new CodeableConcept(ObsCategory, "vital-signs", "Vital Signs")],
                Code = new CodeableConcept(Loinc, "85354-9", "Blood pressure panel with all children optional"),
                Subject = new Reference(Subject),
                EffectiveDateTime = Instant(t),
                Component =
                [
                    new ObservationComponent { Code = new CodeableConcept(Loinc, "8480-6", "Systolic blood pressure"), ValueQuantity = new Quantity(systolic, "mm[Hg]", "mmHg") },
                    new ObservationComponent { Code = new CodeableConcept(Loinc, "8462-4", "Diastolic blood pressure"), ValueQuantity = new Quantity(Math.Round(systolic * 0.55m), "mm[Hg]", "mmHg") },
                ],
            });
            if (++added == vitals) break;

            observations.Add(new Observation
            {
                Id = NextId("o2dev"),
                Status = "final",
                Category = [new CodeableConcept(ObsCategory, "vital-signs", "Vital Signs")],
                Code = new CodeableConcept(CarTCds, "oxygen-delivery", "Oxygen delivery method"),
                Subject = new Reference(Subject),
                EffectiveDateTime = Instant(t),
                ValueCodeableConcept = new CodeableConcept(CarTCds, device, device),
            });
            if (++added == vitals) break;

            observations.Add(flow is { } lpm
                ? Quantity(NextId("o2flow"), "vital-signs", Loinc, "3151-8", "Inhaled oxygen flow rate", t, lpm, "L/min", "L/min")
                : Quantity(NextId("spo2"), "vital-signs", Loinc, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", t, 97m + random.Next(0, 3), "%", "%"));
            added++;
        }

        if (observations.Count != observationCount)
        {
            throw new InvalidOperationException($"Generated {observations.Count} Observations, expected {observationCount}.");
        }
        resources.AddRange(observations);

        return new Bundle
        {
            Type = "transaction",
            Entry = resources.Select(r => new BundleEntry
            {
                Resource = r,
                Request = new BundleEntryRequest { Method = "PUT", Url = $"{r.ResourceType}/{r.Id}" },
            }).ToList(),
        };
    }

    // The i-th of n instants evenly spaced over (infusion, now), the last one 5 minutes before now.
    private static DateTimeOffset Spread(int i, int n, TimeSpan window)
    {
        var step = window.Ticks / n;
        var t = Infusion.AddTicks(step * (i + 1)).AddMinutes(-5);
        return new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static (decimal Celsius, decimal Systolic, string Device, decimal? Flow) Vitals(double day, Random random)
    {
        var jitter = (decimal)random.NextDouble();
        return day switch
        {
            < 3 => (Math.Round(36.7m + jitter * 0.6m, 1), 108m + random.Next(0, 12), "room-air", null),
            < 4 => (Math.Round(38.4m + jitter * 0.8m, 1), 102m + random.Next(0, 10), "room-air", null),
            < 6 => (Math.Round(39.0m + jitter * 0.8m, 1), 82m + random.Next(0, 7), "face-mask", 8m),
            < 8 => (Math.Round(36.9m + jitter * 0.5m, 1), 96m + random.Next(0, 10), "nasal-cannula", 3m),
            < 12.5 => (Math.Round(36.6m + jitter * 0.6m, 1), 106m + random.Next(0, 12), "room-air", null),
            _ => (Math.Round(38.4m + jitter * 0.5m, 1), 100m + random.Next(0, 10), "nasal-cannula", 2m),
        };
    }

    private static IEnumerable<MedicationAdministration> Administrations()
    {
        const string Ndc = FhirSystems.Ndc;
        const string RxNorm = FhirSystems.RxNorm;
        yield return Administration("bench-tisagenlecleucel", new CodeableConcept(Ndc, "0078-0846", "Kymriah (tisagenlecleucel)", "tisagenlecleucel"), Infusion, null, null);
        yield return Administration("bench-norepinephrine", new CodeableConcept(RxNorm, "7512", "norepinephrine", "norepinephrine"), Infusion.AddDays(4).AddHours(-4), Infusion.AddDays(6).AddHours(-4), null);
        yield return Administration("bench-tocilizumab", new CodeableConcept(RxNorm, "612865", "tocilizumab", "tocilizumab"), Infusion.AddDays(4).AddHours(-2), null, new Quantity(416m, "mg"));
        for (var i = 0; i < 4; i++)
        {
            yield return Administration($"bench-acetaminophen-{i}", new CodeableConcept(RxNorm, "161", "acetaminophen", "acetaminophen"), Infusion.AddDays(3 + i * 0.5), null, new Quantity(650m, "mg"));
        }
        yield return Administration("bench-dexamethasone", new CodeableConcept(RxNorm, "3264", "dexamethasone", "dexamethasone"), Infusion.AddDays(5), null, new Quantity(10m, "mg"));
    }

    private static MedicationAdministration Administration(string id, CodeableConcept drug, DateTimeOffset start, DateTimeOffset? end, Quantity? dose) => new()
    {
        Id = id,
        Status = "completed",
        MedicationCodeableConcept = drug,
        Subject = new Reference(Subject),
        EffectiveDateTime = end is null ? Instant(start) : null,
        EffectivePeriod = end is { } e ? new Period { Start = Instant(start), End = Instant(e) } : null,
        Dosage = new MedicationAdministrationDosage
        {
            Route = new CodeableConcept(FhirSystems.Snomed, "47625008", "Intravenous route", "IV"),
            Dose = dose,
        },
    };

    private static Observation Quantity(string id, string category, string system, string code, string display,
        DateTimeOffset t, decimal value, string ucum, string unit) => new()
    {
        Id = id,
        Status = "final",
        Category = [new CodeableConcept(ObsCategory, category, null)],
        Code = new CodeableConcept(system, code, display),
        Subject = new Reference(Subject),
        EffectiveDateTime = Instant(t),
        ValueQuantity = new Quantity(value, ucum, unit),
    };

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
