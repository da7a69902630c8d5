using System.Globalization;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Tests.Facts;

public sealed class ClinicalFactsMapperTests
{
    private static decimal D(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);

    private static ClinicalFacts Map(params Resource[] resources) => ClinicalFactsMapper.Map(null, resources);

    /// <summary>Every fact list of <see cref="ClinicalFacts"/> (whatever lists it grows) is empty,
    /// except <see cref="ClinicalFacts.Excluded"/>, which each test checks itself.</summary>
    private static void AssertNoFacts(ClinicalFacts f)
    {
        var lists = typeof(ClinicalFacts).GetProperties()
            .Where(p => p.Name != nameof(ClinicalFacts.Excluded) && p.Name != nameof(ClinicalFacts.InfusionRecordsLeftOut) && p.PropertyType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(p.PropertyType))
            .ToList();
        Assert.Contains(lists, p => p.Name == nameof(ClinicalFacts.Temperatures));
        foreach (var p in lists)
        {
            var items = ((System.Collections.IEnumerable?)p.GetValue(f))?.Cast<object>().ToList() ?? [];
            Assert.True(items.Count == 0, $"{p.Name} has {items.Count} item(s)");
        }
    }

    // ---- Temperature ----

    [Theory]
    [InlineData("38", "Cel", "38")]
    [InlineData("100.4", "[degF]", "38.0")]
    [InlineData("98.6", "[degF]", "37.0")]
    [InlineData("25", "Cel", "25")]
    [InlineData("45", "Cel", "45")]
    public void GivenATemperatureInAContractUnit_WhenMapped_ThenCelsius(string value, string unit, string celsius)
    {
        var obs = FhirData.Temperature("t1", D(value), unit);

        var facts = Map(obs);

        var t = Assert.Single(facts.Temperatures);
        Assert.Equal(D(celsius), t.Celsius);
        Assert.Equal("Observation/t1", t.Source);
        Assert.Equal(FhirData.Now.AddHours(-2), t.Time);
        Assert.Empty(facts.Excluded);
    }

    /// <summary>Each row: a contract record that breaks its profile (profiles/) → left out, with a
    /// reason that ends as given (the message starts with the fact, its value and time).</summary>
    public static TheoryData<string, Resource, string> ExcludedRecords => new()
    {
        { "temperature in kg", FhirData.Temperature("x", 38m, "kg"), "ignored: unit 'kg' is not one of Cel, [degF]" },
        { "temperature 50 Cel", FhirData.Temperature("x", 50m, "Cel"), "ignored: outside 25–45 °C" },
        { "temperature 24.9 Cel", FhirData.Temperature("x", 24.9m, "Cel"), "ignored: outside 25–45 °C" },
        { "temperature 113.1 [degF]", FhirData.Temperature("x", 113.1m, "[degF]"), "ignored: outside 25–45 °C" },
        { "temperature with a display-only unit", WithDisplayUnit(FhirData.Temperature("x", 38m), "°C"), "ignored: unit '°C' has no UCUM code" },
        { "temperature without effective time", NoEffective(FhirData.Temperature("x", 38m)), "body temperature 38 Cel ignored: effective[x] is required" },
        { "temperature with a zoneless dateTime", WithEffective(FhirData.Temperature("x", 38m), "2013-05-19T10:00:00"), "no usable effective time" },
        { "temperature status registered", FhirData.Temperature("x", 38m, status: "registered"), "ignored: status 'registered' is not one of final, amended, corrected, preliminary" },
        { "temperature without status", FhirData.Temperature("x", 38m, status: null), "ignored: no status" },
        { "SBP in kPa", FhirData.Systolic("x", 12m, "kPa"), "ignored: unit 'kPa' is not one of mm[Hg]" },
        { "SBP 300", FhirData.Systolic("x", 300m), "ignored: outside 1–299 mmHg" },
        { "SBP 0", FhirData.Systolic("x", 0m), "ignored: outside 1–299 mmHg" },
        { "unknown device", FhirData.OxygenDevice("x", "oxygen-tent"), "ignored: 'oxygen-tent' is not in http://cartcds.org/fhir/ValueSet/oxygen-delivery" },
        { "O2 flow in %", FhirData.OxygenFlow("x", 40m, "%"), "ignored: unit '%' is not one of L/min" },
        { "O2 flow 81 L/min", FhirData.OxygenFlow("x", 81m), "ignored: outside 0–80 L/min" },
        { "ICE 11", Score("x", DataContract.IceScore, 11), "ICE score 11 on 2013-05-19 10:00Z ignored: outside 0–10" },
        { "ICE -1", Score("x", DataContract.IceScore, -1), "ignored: outside 0–10" },
        { "ICE as a Quantity", ScoreAsQuantity("x", DataContract.IceScore, 8m), "ICE score 8 {score} on 2013-05-19 10:00Z ignored: value is a Quantity, expected integer" },
        { "CAPD 33", Score("x", DataContract.CapdScore, 33), "ignored: outside 0–32" },
        { "CAR-T procedure in progress", FhirData.CarTInfusion("x", "in-progress"), "ignored: status 'in-progress' is not one of completed" },
        { "norepinephrine status unknown", FhirData.Administration("x", "7512", "unknown"), "vasopressor on 2013-05-19 09:00Z ignored: status 'unknown' is not one of in-progress, completed, on-hold, stopped" },
    };

    private static Observation Score(string id, string code, int value)
    {
        var o = FhirData.Observation(id, DataContract.CarTCds, code);
        o.ValueInteger = value;
        return o;
    }

    private static Observation ScoreAsQuantity(string id, string code, decimal value) =>
        FhirData.Observation(id, DataContract.CarTCds, code, quantity: new Quantity(value, "{score}"));

    private static Observation WithDisplayUnit(Observation o, string unit)
    {
        o.ValueQuantity = new Quantity { Value = o.ValueQuantity!.Value, Unit = unit };
        return o;
    }

    private static Observation NoEffective(Observation o)
    {
        o.EffectiveDateTime = null;
        return o;
    }

    private static Observation WithEffective(Observation o, string effective)
    {
        o.EffectiveDateTime = effective;
        return o;
    }

    [Theory]
    [MemberData(nameof(ExcludedRecords))]
    public void GivenAContractRecordThatBreaksItsProfile_WhenMapped_ThenExcludedWithTheReason(string caseName, Resource resource, string reason)
    {
        _ = caseName;

        var facts = Map(resource);

        AssertNoFacts(facts);
        var ex = Assert.Single(facts.Excluded);
        Assert.Equal($"{resource.ResourceType}/x", ex.Source);
        Assert.EndsWith(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("entered-in-error")]
    [InlineData("cancelled")]
    public void GivenAnObservationEnteredInError_WhenMapped_ThenSkippedSilently(string status)
    {
        var facts = Map(FhirData.Temperature("t1", 39m, status: status), Status(FhirData.Systolic("s1", 120m), status));

        AssertNoFacts(facts);
        Assert.Empty(facts.Excluded);
    }

    private static Observation Status(Observation o, string status)
    {
        o.Status = status;
        return o;
    }

    [Theory]
    [InlineData("final")]
    [InlineData("amended")]
    [InlineData("corrected")]
    [InlineData("preliminary")]
    public void GivenAResultStatus_WhenMapped_ThenUsed(string status)
    {
        Assert.Single(Map(FhirData.Temperature("t1", 39m, status: status)).Temperatures);
    }

    // ---- Blood pressure ----

    [Fact]
    public void GivenAStandaloneSystolic_WhenMapped_ThenMmHg()
    {
        var sbp = Assert.Single(Map(FhirData.Systolic("s1", 88m)).SystolicPressures);

        Assert.Equal(88m, sbp.MmHg);
        Assert.Equal("Observation/s1", sbp.Source);
    }

    [Fact]
    public void GivenABloodPressurePanel_WhenMapped_ThenTheSystolicComponentIsPicked()
    {
        var facts = Map(FhirData.BloodPressurePanel("bp1", systolic: 84m, diastolic: 50m));

        var sbp = Assert.Single(facts.SystolicPressures);
        Assert.Equal(84m, sbp.MmHg);
        Assert.Equal("Observation/bp1", sbp.Source);
        Assert.Empty(facts.Excluded);
    }

    [Fact]
    public void GivenABloodPressurePanelWithSystolicInKPa_WhenMapped_ThenExcluded()
    {
        var panel = FhirData.BloodPressurePanel("bp1", systolic: 11m, diastolic: 7m);
        panel.Component![1].ValueQuantity = new Quantity(11m, "kPa");

        var facts = Map(panel);

        Assert.Empty(facts.SystolicPressures);
        Assert.Equal("systolic BP 11 kPa on 2013-05-19 10:00Z ignored: unit 'kPa' is not one of mm[Hg]", Assert.Single(facts.Excluded).Reason);
    }

    // ---- Hypotension flag ----

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public void GivenAHypotensionObservation_WhenMapped_ThenOnlyTrueCounts(bool value, int expected)
    {
        var obs = new Observation
        {
            Id = "h1",
            Status = "final",
            Code = new CodeableConcept(DataContract.CarTCds, DataContract.Hypotension),
            EffectiveDateTime = FhirData.At(1),
            ValueBoolean = value,
        };

        var facts = Map(obs);

        Assert.Equal(expected, facts.HypotensionRecords.Count);
        Assert.Empty(facts.Excluded);
    }

    // ---- Oxygen ----

    [Theory]
    [InlineData("room-air", OxygenDevice.RoomAir)]
    [InlineData("blow-by", OxygenDevice.BlowBy)]
    [InlineData("nasal-cannula", OxygenDevice.NasalCannula)]
    [InlineData("high-flow-nasal-cannula", OxygenDevice.HighFlowNasalCannula)]
    [InlineData("face-mask", OxygenDevice.FaceMask)]
    [InlineData("non-rebreather-mask", OxygenDevice.NonRebreatherMask)]
    [InlineData("venturi-mask", OxygenDevice.VenturiMask)]
    [InlineData("cpap", OxygenDevice.Cpap)]
    [InlineData("bipap", OxygenDevice.Bipap)]
    [InlineData("mechanical-ventilation", OxygenDevice.MechanicalVentilation)]
    public void GivenAnOxygenDeliveryCode_WhenMapped_ThenItsDevice(string code, OxygenDevice expected)
    {
        var facts = Map(FhirData.OxygenDevice("d1", code));

        var d = Assert.Single(facts.OxygenDevices);
        Assert.Equal(expected, d.Device);
        Assert.Equal("Observation/d1", d.Source);
        Assert.Empty(facts.Excluded);
    }

    [Theory]
    [InlineData("L/min", "6")]
    [InlineData("L/min", "0")]
    [InlineData("L/min", "80")]
    public void GivenAnOxygenFlowInLitresPerMinute_WhenMapped_ThenMapped(string unit, string value)
    {
        var facts = Map(FhirData.OxygenFlow("f1", D(value), unit));

        Assert.Equal(D(value), Assert.Single(facts.OxygenFlows).LitresPerMinute);
        Assert.Empty(facts.Excluded);
    }

    // ---- Medication administrations ----

    [Theory]
    [InlineData("7512", Drug.Norepinephrine)]
    [InlineData("3992", Drug.Epinephrine)]
    [InlineData("3628", Drug.Dopamine)]
    [InlineData("8163", Drug.Phenylephrine)]
    [InlineData("11149", Drug.Vasopressin)]
    [InlineData("612865", Drug.Tocilizumab)]
    [InlineData("3264", Drug.Dexamethasone)]
    [InlineData("6902", Drug.Methylprednisolone)]
    [InlineData("8640", Drug.Prednisone)]
    [InlineData("161", Drug.Acetaminophen)]
    [InlineData("5640", Drug.Ibuprofen)]
    public void GivenAnAdministrationWithAContractRxNormCode_WhenMapped_ThenTheRightDrug(string rxnorm, Drug expected)
    {
        var facts = Map(FhirData.Administration("m1", rxnorm));

        var a = Assert.Single(facts.Administrations);
        Assert.Equal(expected, a.Drug);
        Assert.Equal("MedicationAdministration/m1", a.Source);
        Assert.Equal(FhirData.Now.AddHours(-3), a.Start);
        Assert.Empty(facts.Excluded);
    }

    [Fact]
    public void GivenAnInProgressAdministrationWithoutEnd_WhenMapped_ThenOngoing()
    {
        var a = Assert.Single(Map(FhirData.Administration("m1", "7512", "in-progress", startedHoursAgo: 5)).Administrations);

        Assert.True(a.IsOngoing);
        Assert.Null(a.End);
        Assert.Equal(FhirData.Now.AddHours(-5), a.Start);
    }

    [Fact]
    public void GivenACompletedAdministrationWithAPeriod_WhenMapped_ThenEndSetAndNotOngoing()
    {
        var a = Assert.Single(Map(FhirData.Administration("m1", "7512", "completed", startedHoursAgo: 5, endedHoursAgo: 1)).Administrations);

        Assert.False(a.IsOngoing);
        Assert.Equal(FhirData.Now.AddHours(-1), a.End);
    }

    [Fact]
    public void GivenAnAdministrationWithADoseInGrams_WhenMapped_ThenDoseInMg()
    {
        var m = FhirData.Administration("m1", "612865");
        m.Dosage = new MedicationAdministrationDosage { Dose = new Quantity(0.4m, "g") };

        Assert.Equal(400m, Assert.Single(Map(m).Administrations).DoseMg);
    }

    [Theory]
    [InlineData("not-done")]
    [InlineData("entered-in-error")]
    public void GivenANotDoneAdministration_WhenMapped_ThenSkippedSilently(string status)
    {
        var facts = Map(FhirData.Administration("m1", "7512", status));

        AssertNoFacts(facts);
        Assert.Empty(facts.Excluded);
    }

    [Fact]
    public void GivenAContainedMedicationReferencedByHash_WhenMapped_ThenItsCodeIsUsed()
    {
        var m = new MedicationAdministration
        {
            Id = "m1",
            Status = "completed",
            Contained = [new Medication { Id = "med", Code = new CodeableConcept(FhirSystems.RxNorm, "612865") }],
            MedicationReference = new Reference("#med"),
            Subject = FhirData.Subject(),
            EffectiveDateTime = FhirData.At(4),
        };

        var facts = Map(m);

        Assert.Equal(Drug.Tocilizumab, Assert.Single(facts.Administrations).Drug);
    }

    [Fact]
    public void GivenAMedicationReferenceToAnotherResourceInTheRecord_WhenMapped_ThenItsCodeIsUsed()
    {
        var med = new Medication { Id = "norepi", Code = new CodeableConcept(FhirSystems.RxNorm, "7512") };
        var m = new MedicationAdministration
        {
            Id = "m1",
            Status = "in-progress",
            MedicationReference = new Reference("Medication/norepi"),
            Subject = FhirData.Subject(),
            EffectiveDateTime = FhirData.At(4),
        };

        Assert.Equal(Drug.Norepinephrine, Assert.Single(Map(m, med).Administrations).Drug);
    }

    public static TheoryData<string, CodeableConcept> TisagenlecleucelConcepts => new()
    {
        { "NDC package code", new CodeableConcept(FhirSystems.Ndc, "0078-0846-19") },
        { "NDC product code", new CodeableConcept(FhirSystems.Ndc, "0078-0846") },
        { "text Kymriah", new CodeableConcept { Text = "Kymriah suspension for IV infusion" } },
        { "coding display", new CodeableConcept("http://example.org/local-formulary", "K1", "tisagenlecleucel") },
    };

    [Theory]
    [MemberData(nameof(TisagenlecleucelConcepts))]
    public void GivenATisagenlecleucelAdministration_WhenMapped_ThenAnInfusionNotADrug(string caseName, CodeableConcept concept)
    {
        _ = caseName;
        var m = new MedicationAdministration { Id = "k1", Status = "completed", MedicationCodeableConcept = concept, Subject = FhirData.Subject(), EffectiveDateTime = FhirData.At(72) };

        var facts = Map(m);

        var inf = Assert.Single(facts.Infusions);
        Assert.Equal(FhirData.Now.AddHours(-72), inf.Time);
        Assert.Equal("MedicationAdministration/k1", inf.Source);
        Assert.Empty(facts.Administrations);
    }

    [Fact]
    public void GivenAnotherNdcProduct_WhenMapped_ThenNotAnInfusion()
    {
        var m = new MedicationAdministration { Id = "k1", Status = "completed", MedicationCodeableConcept = new CodeableConcept(FhirSystems.Ndc, "0078-08460"), EffectiveDateTime = FhirData.At(72) };

        var facts = Map(m);

        Assert.Empty(facts.Infusions);
        Assert.Empty(facts.Excluded);
    }

    // ---- Procedure ----

    [Fact]
    public void GivenACompletedCarTInfusionProcedure_WhenMapped_ThenAnInfusion()
    {
        var facts = Map(FhirData.CarTInfusion("pr1", hoursAgo: 50));

        var inf = Assert.Single(facts.Infusions);
        Assert.Equal(FhirData.Now.AddHours(-50), inf.Time);
        Assert.Equal("Procedure/pr1", inf.Source);
    }

    // ---- Patient ----

    [Fact]
    public void GivenAPatientWithAFullBirthDate_WhenMapped_ThenBirthDateSet()
    {
        var facts = ClinicalFactsMapper.Map(FhirData.Patient("2001-03-04"), []);

        Assert.Equal(new DateOnly(2001, 3, 4), facts.BirthDate);
        Assert.Equal("Patient/p1", facts.PatientSource);
        Assert.Empty(facts.Excluded);
    }

    [Theory]
    [InlineData("2001", "birthDate '2001' is not a full date: age-dependent thresholds cannot be applied")]
    [InlineData("2001-03", "birthDate '2001-03' is not a full date: age-dependent thresholds cannot be applied")]
    [InlineData(null, "no birthDate: age-dependent thresholds cannot be applied")]
    public void GivenAPatientWithAPartialBirthDate_WhenMapped_ThenBirthDateNullAndExcluded(string? birthDate, string reason)
    {
        var facts = ClinicalFactsMapper.Map(FhirData.Patient(birthDate), []);

        Assert.Null(facts.BirthDate);
        var ex = Assert.Single(facts.Excluded);
        Assert.Equal("Patient/p1", ex.Source);
        Assert.Equal(reason, ex.Reason);
    }

    // ---- Outside the contract ----

    public static TheoryData<string, Resource> OutsideTheContract => new()
    {
        { "sodium", FhirData.Observation("o", FhirSystems.Loinc, "2951-2", quantity: new Quantity(140m, "mmol/L")) },
        { "sodium in an odd status", FhirData.Observation("o", FhirSystems.Loinc, "2951-2", status: "registered", effective: "", quantity: new Quantity(140m, "kg")) },
        { "temperature code in SNOMED", FhirData.Observation("o", FhirSystems.Snomed, "8310-5", quantity: new Quantity(39m, "Cel")) },
        { "unknown cartcds code", FhirData.Observation("o", DataContract.CarTCds, "mood", quantity: new Quantity(1m, "1")) },
        { "amoxicillin", FhirData.Administration("m", "723") },
        { "norepinephrine code in another system", new MedicationAdministration { Id = "m", Status = "in-progress", MedicationCodeableConcept = new CodeableConcept(FhirSystems.Snomed, "7512"), EffectiveDateTime = FhirData.At(1) } },
        { "appendectomy", new Procedure { Id = "pr", Status = "in-progress", Code = new CodeableConcept(FhirSystems.Snomed, "80146002") } },
        { "essential hypertension", new Condition { Id = "c", Code = new CodeableConcept(FhirSystems.Snomed, "59621000"), OnsetDateTime = "2010-01-01" } },
    };

    [Theory]
    [MemberData(nameof(OutsideTheContract))]
    public void GivenACodeOutsideTheContract_WhenMapped_ThenNeitherFactNorExcluded(string caseName, Resource resource)
    {
        _ = caseName;

        var facts = Map(resource);

        AssertNoFacts(facts);
        Assert.Empty(facts.Excluded);
    }

    [Fact]
    public void GivenAMixedRecord_WhenMapped_ThenEachFactGoesToItsList()
    {
        var facts = ClinicalFactsMapper.Map(FhirData.Patient(), [
            FhirData.Temperature("t1", 39.5m),
            FhirData.Temperature("t2", 38m, "kg"),
            FhirData.Systolic("s1", 85m),
            FhirData.OxygenDevice("d1", "nasal-cannula"),
            FhirData.OxygenFlow("f1", 2m),
            FhirData.Administration("m1", "7512", "in-progress"),
            FhirData.CarTInfusion("pr1"),
        ]);

        Assert.Single(facts.Temperatures);
        Assert.Single(facts.SystolicPressures);
        Assert.Single(facts.OxygenDevices);
        Assert.Single(facts.OxygenFlows);
        Assert.Single(facts.Administrations);
        Assert.Single(facts.Infusions);
        Assert.Equal("Observation/t2", Assert.Single(facts.Excluded).Source);
    }
}
