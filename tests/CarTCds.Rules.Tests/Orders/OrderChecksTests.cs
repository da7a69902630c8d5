using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;
using static CarTCds.Rules.Tests.Chart;

namespace CarTCds.Rules.Tests.Orders;

public sealed class OrderChecksTests
{
    private static readonly DateTimeOffset Now = Chart.EligibilityNow;

    private static OrderCheckAssessment Check(Chart b, EligibilityAssessment? eligibility = null, int? icans = null, RuleSet? rules = null) =>
        OrderChecks.Assess(b.Build(), Now, rules ?? RuleSet.Default, eligibility, icans);

    private static Chart TocilizumabOrder(decimal? mg = null, decimal? mgPerKg = null) =>
        Chart.ForEligibility().Infused(4 * 24, "Procedure/cart-infusion").Order(DraftOrderKind.Tocilizumab, Drug.Tocilizumab, mg, mgPerKg, "MedicationRequest/toci");

    // ---- Tocilizumab dose: > 800 mg → block; > computed + 10 % → warn; no weight → warn.

    [Theory]
    [InlineData(320.0, OrderCheckResult.Ok)]
    [InlineData(352.0, OrderCheckResult.Ok)]
    [InlineData(352.1, OrderCheckResult.Block)]
    [InlineData(288.0, OrderCheckResult.Ok)]
    [InlineData(287.9, OrderCheckResult.Warn)]
    public void GivenA40KgPatient_WhenTheOrderedDoseIsAroundTheComputed320Mg_ThenTenPercentIsToleratedAndMoreAboveIsBlocked(double mg, OrderCheckResult expected)
    {
        var b = TocilizumabOrder(mg: (decimal)mg).Weight(40m, 5, "Observation/weight");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        var order = Assert.Single(a.Orders);
        Assert.Equal("MedicationRequest/toci", order.Order.Source);
        var reason = Assert.Single(order.Reasons);
        Assert.Equal(expected, reason.Severity);
        Assert.Contains("computed 320 mg (8 mg/kg × 40 kg)", reason.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight", Assert.Single(reason.Evidence).Source);
        Assert.Equal(320m, a.Tocilizumab!.DoseMg);
    }

    [Theory]
    [InlineData(880.0, OrderCheckResult.Block)]
    [InlineData(800.1, OrderCheckResult.Block)]
    [InlineData(800.0, OrderCheckResult.Ok)]
    public void GivenA110KgPatient_WhenOrderedAbove800Mg_ThenTheCapBlocks(double mg, OrderCheckResult expected)
    {
        var b = TocilizumabOrder(mg: (decimal)mg).Weight(110m, 5, "Observation/weight");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        Assert.Equal(800m, a.Tocilizumab!.DoseMg);
        var top = a.Orders[0].Reasons[0];
        Assert.Equal(expected, top.Severity);
        if (expected == OrderCheckResult.Block) Assert.Contains("exceeds the 800 mg maximum per dose", top.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight", Assert.Single(top.Evidence).Source);
        Assert.Equal("block", OrderCheckCodes.Code(OrderCheckResult.Block));
    }

    [Theory]
    [InlineData(29.9, 12.0, OrderCheckResult.Ok)]
    [InlineData(29.9, 8.0, OrderCheckResult.Warn)]
    [InlineData(30.0, 8.0, OrderCheckResult.Ok)]
    [InlineData(30.0, 12.0, OrderCheckResult.Block)]
    public void GivenAnOrderInMgPerKg_WhenTheBandIsWrongFor29Point9Or30Kg_ThenBelowWarnsAndAboveBlocks(double kg, double mgPerKg, OrderCheckResult expected)
    {
        var b = TocilizumabOrder(mgPerKg: (decimal)mgPerKg).Weight((decimal)kg, 5, "Observation/weight");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        var reason = Assert.Single(a.Orders[0].Reasons);
        Assert.StartsWith($"Ordered {(decimal)mgPerKg:0.##} mg/kg × {(decimal)kg:0.##} kg", reason.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight", Assert.Single(reason.Evidence).Source);
    }

    [Theory]
    [InlineData(300.0, null)]
    [InlineData(null, 12.0)]
    public void GivenNoWeight_WhenTocilizumabIsOrdered_ThenItWarnsThatTheDoseCannotBeChecked(double? mg, double? mgPerKg)
    {
        var a = Check(TocilizumabOrder(mg: (decimal?)mg, mgPerKg: (decimal?)mgPerKg));

        Assert.Equal(OrderCheckResult.Warn, a.Result);
        var reason = Assert.Single(a.Orders[0].Reasons);
        Assert.Contains("cannot be checked", reason.Text, StringComparison.Ordinal);
        Assert.Contains("Body weight (LOINC 29463-7) missing: dose not computed", reason.Text, StringComparison.Ordinal);
        Assert.Empty(reason.Evidence);
    }

    [Fact]
    public void GivenNoDoseInTheOrder_WhenAWeightIsKnown_ThenItWarnsAndStatesTheComputedDose()
    {
        var a = Check(TocilizumabOrder().Weight(20m, 5, "Observation/weight"));

        Assert.Equal(OrderCheckResult.Warn, a.Result);
        var reason = Assert.Single(a.Orders[0].Reasons);
        Assert.Contains("Tocilizumab 240 mg IV over 1 h", reason.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight", Assert.Single(reason.Evidence).Source);
    }

    [Fact]
    public void GivenAStaleWeight_WhenTheDoseMatches_ThenItWarnsToReweigh()
    {
        var a = Check(TocilizumabOrder(mg: 240m).Weight(20m, 40 * 24, "Observation/weight"));

        Assert.Equal(OrderCheckResult.Warn, a.Result);
        Assert.Contains(a.Orders[0].Reasons, r => r.Severity == OrderCheckResult.Warn && r.Text.Contains("re-weigh", StringComparison.Ordinal) && r.Evidence.Single().Source == "Observation/weight");
    }

    // ---- Tocilizumab schedule: < 8 h since the last dose, ≥ 4 in total, ≥ 3 in 24 h → block.

    [Theory]
    [InlineData(7 * 60 + 59, OrderCheckResult.Block)]
    [InlineData(8 * 60, OrderCheckResult.Ok)]
    public void GivenADoseGivenAroundEightHoursAgo_WhenAnotherIsOrdered_ThenItBlocksUntilExactly8Hours(int minutesAgo, OrderCheckResult expected)
    {
        var b = TocilizumabOrder(mg: 240m).Weight(20m, 30, "Observation/weight").Given(Drug.Tocilizumab, Minutes(minutesAgo), 240m, "MedicationAdministration/toci-1");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        if (expected == OrderCheckResult.Block)
        {
            var block = a.Orders[0].Reasons[0];
            Assert.Equal(OrderCheckResult.Block, block.Severity);
            Assert.Contains("repeat no sooner than 8 h", block.Text, StringComparison.Ordinal);
            Assert.Equal("MedicationAdministration/toci-1", Assert.Single(block.Evidence).Source);
        }
        else Assert.All(a.Orders[0].Reasons, r =>
        {
            Assert.Equal(OrderCheckResult.Ok, r.Severity);
            Assert.Equal(["Observation/weight"], r.Evidence.Select(e => e.Source)); // the weight, not the dose given
        });
    }

    [Theory]
    [InlineData(3, OrderCheckResult.Ok)]
    [InlineData(4, OrderCheckResult.Block)]
    public void GivenDosesAlreadyGiven_WhenThreeOrFour_ThenAFifthIsBlocked(int doses, OrderCheckResult expected)
    {
        var b = TocilizumabOrder(mg: 320m).Weight(40m, 30, "Observation/weight");
        for (var i = 0; i < doses; i++) b.Given(Drug.Tocilizumab, 26 + (i * 14), 320m, $"MedicationAdministration/toci-{i}");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        if (expected == OrderCheckResult.Block)
        {
            var block = Assert.Single(a.Orders[0].Reasons, r => r.Severity == OrderCheckResult.Block);
            Assert.Contains("the maximum is 4 in total", block.Text, StringComparison.Ordinal);
            Assert.Equal(4, block.Evidence.Count);
            Assert.All(block.Evidence, e => Assert.StartsWith("MedicationAdministration/toci-", e.Source, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(new double[] { 17, 9 }, OrderCheckResult.Ok)]
    [InlineData(new double[] { 23, 15, 8 }, OrderCheckResult.Block)]
    public void GivenDosesInTheLast24Hours_WhenTwoOrThree_ThenAFourthWithin24HoursIsBlocked(double[] hoursAgo, OrderCheckResult expected)
    {
        var b = TocilizumabOrder(mg: 320m).Weight(40m, 30, "Observation/weight");
        for (var i = 0; i < hoursAgo.Length; i++) b.Given(Drug.Tocilizumab, hoursAgo[i], 320m, $"MedicationAdministration/toci-{i}");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        if (expected == OrderCheckResult.Block)
        {
            var block = Assert.Single(a.Orders[0].Reasons, r => r.Severity == OrderCheckResult.Block);
            Assert.StartsWith("3 tocilizumab doses in the last 24 h", block.Text, StringComparison.Ordinal);
            Assert.Equal(["MedicationAdministration/toci-0", "MedicationAdministration/toci-1", "MedicationAdministration/toci-2"], block.Evidence.Select(e => e.Source));
        }
    }

    [Fact]
    public void GivenTwoTocilizumabOrders_WhenSignedTogether_ThenBothWarn()
    {
        var b = TocilizumabOrder(mg: 240m).Weight(20m).Order(DraftOrderKind.Tocilizumab, Drug.Tocilizumab, 240m, null, "MedicationRequest/toci-2");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Warn, a.Result);
        Assert.All(a.Orders, o => Assert.Contains(o.Reasons, r => r.Text.StartsWith("2 tocilizumab orders", StringComparison.Ordinal)));
    }

    // ---- Corticosteroids after CAR-T: warn without CRS ≥ 2 or ICANS ≥ 2.

    [Theory]
    [InlineData(Drug.Dexamethasone)]
    [InlineData(Drug.Methylprednisolone)]
    [InlineData(Drug.Prednisone)]
    public void GivenNoCrs_WhenACorticosteroidIsOrderedAfterInfusion_ThenItWarnsThatItMayBluntEfficacy(Drug drug)
    {
        var b = Chart.ForEligibility().Infused(5 * 24, "Procedure/cart-infusion").Temperature(37.2m, 2, "Observation/temp").Weight(40m, 5, "Observation/weight")
            .Order(DraftOrderKind.Corticosteroid, drug, 10m, null, "MedicationRequest/steroid");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Warn, a.Result);
        Assert.Equal(0, a.Crs!.Grade);
        var reason = Assert.Single(a.Orders[0].Reasons, r => !r.Text.Contains("maximum", StringComparison.Ordinal));
        Assert.Contains("may blunt CAR-T efficacy", reason.Text, StringComparison.Ordinal);
        Assert.Contains("(CRS grade 0; ICANS grade not provided)", reason.Text, StringComparison.Ordinal);
        Assert.Equal(["Observation/temp", "Procedure/cart-infusion"], reason.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(37.2, null, 0, OrderCheckResult.Warn, null)]
    [InlineData(38.5, null, 1, OrderCheckResult.Warn, null)]
    [InlineData(38.5, OxygenDevice.NasalCannula, 2, OrderCheckResult.Ok, "CRS grade 2: tocilizumab first")]
    [InlineData(38.5, OxygenDevice.FaceMask, 3, OrderCheckResult.Ok, "CRS grade 3 (ASCO): dexamethasone 10 mg IV q6h.")]
    [InlineData(38.5, OxygenDevice.Bipap, 4, OrderCheckResult.Ok, "CRS grade 4 (ASCO): methylprednisolone 500 mg IV q12h × 3 days, then taper.")]
    public void GivenACrsGrade_WhenDexamethasoneIsOrdered_ThenGrade2OrMoreWarrantsItWithTheAscoRegimen(double celsius, OxygenDevice? device, int grade, OrderCheckResult expected, string? advice)
    {
        var b = Chart.ForEligibility().Infused(5 * 24, "Procedure/cart-infusion").Temperature((decimal)celsius, 2, "Observation/temp").Weight(40m, 5, "Observation/weight")
            .Order(DraftOrderKind.Corticosteroid, Drug.Dexamethasone, 10m, null, "MedicationRequest/dex");
        if (device is { } d) b.Device(d, 1, "Observation/o2");

        var a = Check(b);

        Assert.Equal(grade, a.Crs!.Grade);
        Assert.Equal(expected, a.Result);
        var reason = Assert.Single(a.Orders[0].Reasons, r => !r.Text.Contains("maximum", StringComparison.Ordinal));
        Assert.Contains("Procedure/cart-infusion", reason.Evidence.Select(e => e.Source));
        Assert.Contains("Observation/temp", reason.Evidence.Select(e => e.Source));
        if (device is not null) Assert.Contains("Observation/o2", reason.Evidence.Select(e => e.Source));
        if (advice is null) Assert.Empty(a.Orders[0].Advice);
        else Assert.Contains(a.Orders[0].Advice, x => x.StartsWith(advice, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1, OrderCheckResult.Warn)]
    [InlineData(2, OrderCheckResult.Ok)]
    [InlineData(4, OrderCheckResult.Ok)]
    public void GivenNoCrsAndAnIcansGrade_WhenDexamethasoneIsOrdered_ThenIcans2OrMoreWarrantsIt(int icans, OrderCheckResult expected)
    {
        var b = Chart.ForEligibility().Infused(7 * 24, "Procedure/cart-infusion").Temperature(37.0m, 2, "Observation/temp").Weight(40m, 5, "Observation/weight")
            .Order(DraftOrderKind.Corticosteroid, Drug.Dexamethasone, 10m, null, "MedicationRequest/dex");

        var a = Check(b, icans: icans);

        Assert.Equal(expected, a.Result);
        var reason = Assert.Single(a.Orders[0].Reasons, r => !r.Text.Contains("maximum", StringComparison.Ordinal));
        Assert.Contains($"ICANS grade {icans}", reason.Text, StringComparison.Ordinal);
        Assert.Contains("Procedure/cart-infusion", reason.Evidence.Select(e => e.Source));
        Assert.Equal(expected == OrderCheckResult.Ok, a.Orders[0].Advice.Any(x => x.StartsWith($"ICANS grade {icans}", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(90 * 24, OrderCheckResult.Warn)]
    [InlineData((90 * 24) + 1, OrderCheckResult.Ok)]
    public void GivenAnInfusionAround90DaysAgo_WhenACorticosteroidIsOrderedWithoutCrs_ThenTheCautionWindowEndsAfterDay90(double infusedHoursAgo, OrderCheckResult expected)
    {
        var b = Chart.ForEligibility().Infused(infusedHoursAgo, "Procedure/cart-infusion").Temperature(37.0m)
            .Order(DraftOrderKind.Corticosteroid, Drug.Prednisone, 20m, null, "MedicationRequest/pred");

        var a = Check(b);

        Assert.Equal(expected, a.Result);
        Assert.Contains("Procedure/cart-infusion", Assert.Single(a.Orders[0].Reasons).Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenNoInfusionOnRecord_WhenACorticosteroidIsOrdered_ThenOk()
    {
        var a = Check(Chart.ForEligibility().Weight(40m).Order(DraftOrderKind.Corticosteroid, Drug.Dexamethasone, 10m, null, "MedicationRequest/dex"));

        Assert.Equal(OrderCheckResult.Ok, a.Result);
        Assert.Null(a.Crs);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, false)]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void GivenAnIcansGradeAtTheEdgeOf0To4_WhenAssessed_ThenOnlyOutsideItThrows(int icans, bool throws)
    {
        var b = Chart.ForEligibility().Infused(7 * 24, "Procedure/cart-infusion").Temperature(37.0m, 2, "Observation/temp")
            .Order(DraftOrderKind.Corticosteroid, Drug.Prednisone, 20m, null, "MedicationRequest/pred");

        if (throws)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Check(b, icans: icans));
            return;
        }
        var a = Check(b, icans: icans);

        var reason = Assert.Single(a.Orders[0].Reasons, r => r.Text.Contains($"ICANS grade {icans}", StringComparison.Ordinal));
        Assert.Contains("Procedure/cart-infusion", reason.Evidence.Select(e => e.Source));
    }

    // A tocilizumab order is recognised by its kind or by its drug alone.
    [Theory]
    [InlineData(DraftOrderKind.Tocilizumab, null)]
    [InlineData(DraftOrderKind.Other, Drug.Tocilizumab)]
    public void GivenATocilizumabOrderByKindOrByDrugOnly_WhenChecked_ThenItsDoseIsChecked(DraftOrderKind kind, Drug? drug)
    {
        var b = Chart.ForEligibility().Infused(4 * 24, "Procedure/cart-infusion").Weight(40m, 5, "Observation/weight")
            .Order(kind, drug, 320m, null, "MedicationRequest/toci");

        var a = Check(b);

        Assert.Equal(320m, a.Tocilizumab!.DoseMg);
        var reason = Assert.Single(a.Orders[0].Reasons);
        Assert.Equal(OrderCheckResult.Ok, reason.Severity);
        Assert.StartsWith("Ordered 320 mg matches the computed 320 mg", reason.Text, StringComparison.Ordinal);
        Assert.Equal(["Observation/weight"], reason.Evidence.Select(e => e.Source));
    }

    // The deviation from the computed 320 mg (40 kg × 8 mg/kg) is stated in per cent of it.
    [Theory]
    [InlineData(400.0, OrderCheckResult.Block, "Ordered 400 mg is 25 % above the computed 320 mg (8 mg/kg × 40 kg); tolerance 10 %: give 320 mg.")]
    [InlineData(240.0, OrderCheckResult.Warn, "Ordered 240 mg is 25 % below the computed 320 mg (8 mg/kg × 40 kg); tolerance 10 %.")]
    public void GivenA40KgPatient_WhenTheOrderedDoseIsOutsideTheTolerance_ThenTheDeviationIsStatedInPerCent(double mg, OrderCheckResult expected, string text)
    {
        var b = TocilizumabOrder(mg: (decimal)mg).Weight(40m, 5, "Observation/weight");

        var a = Check(b);

        var reason = Assert.Single(a.Orders[0].Reasons);
        Assert.Equal(expected, reason.Severity);
        Assert.Equal(text, reason.Text);
        Assert.Equal(["Observation/weight"], reason.Evidence.Select(e => e.Source));
    }

    // ---- Tisagenlecleucel: not eligible → block; undetermined → warn; eligible → ok.

    [Fact]
    public void GivenOneChemoSensitiveRelapse_WhenTisagenlecleucelIsOrdered_ThenBlockedNamingTheRelapse()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all").Status(DiseaseStatus.Relapse, 90, "Observation/relapse-1")
            .Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Block, a.Result);
        Assert.Equal("block", a.Code);
        var block = Assert.Single(a.Orders[0].Reasons, r => r.Severity == OrderCheckResult.Block);
        Assert.StartsWith("Not eligible for tisagenlecleucel by the label: One relapse", block.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/relapse-1", Assert.Single(block.Evidence).Source);
        Assert.Equal(EligibilityStatus.NotEligible, a.Eligibility!.Eligibility);
    }

    [Fact]
    public void GivenTwoRelapses_WhenTisagenlecleucelIsOrdered_ThenOkWithTheReasonsAndTheDoseRange()
    {
        var b = Chart.EligibleBAll().Weight(20m, 24, "Observation/weight").Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Ok, a.Result);
        var ok = Assert.Single(a.Orders[0].Reasons);
        Assert.StartsWith("Eligible for tisagenlecleucel by the label", ok.Text, StringComparison.Ordinal);
        Assert.Equal(["Condition/b-all", "Observation/relapse-1", "Observation/relapse-2", "Patient/p"], ok.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
        Assert.Contains(a.Orders[0].Advice, x => x.Contains("4 × 10⁶ to 1 × 10⁸ cells", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAnUndeterminedEligibility_WhenTisagenlecleucelIsOrdered_ThenItWarnsWithWhatIsMissing()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.AllLineageUnspecified, "Condition/c91").Status(DiseaseStatus.PrimaryRefractory, 30)
            .Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Warn, a.Result);
        var warn = Assert.Single(a.Orders[0].Reasons);
        Assert.Equal("Tisagenlecleucel eligibility cannot be decided: needs B-lineage confirmation (SNOMED 277571004 or immunophenotype).", warn.Text);
        Assert.Equal("Condition/c91", Assert.Single(warn.Evidence).Source);
    }

    [Fact]
    public void GivenAnEligibilityAssessedByTheCaller_WhenTisagenlecleucelIsOrdered_ThenThatAssessmentIsUsed()
    {
        var b = Chart.ForEligibility().Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah");
        var eligible = EligibilityCheck.Assess(Chart.EligibleBAll().Build(), Now, RuleSet.Default);

        var a = Check(b, eligibility: eligible);

        Assert.Equal(OrderCheckResult.Ok, a.Result);
        Assert.Same(eligible, a.Eligibility);
    }

    [Fact]
    public void GivenATrialConcern_WhenAnEligiblePatientIsOrderedTisagenlecleucel_ThenItIsInformationNotAWarning()
    {
        var b = Chart.EligibleBAll().Cns(CnsStatus.Cns3, 5, "Observation/cns").Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Ok, a.Result);
        var info = Assert.Single(a.Orders[0].Reasons, r => r.Text.StartsWith("Information", StringComparison.Ordinal));
        Assert.Equal("Observation/cns", Assert.Single(info.Evidence).Source);
    }

    // ---- Overall.

    [Fact]
    public void GivenAnOkTocilizumabAndABlockedTisagenlecleucel_WhenSignedTogether_ThenTheOverallResultIsTheWorst()
    {
        var b = Chart.ForEligibility().Infused(4 * 24, "Procedure/cart-infusion").Weight(20m).Diagnosis(DiagnosisKind.TCellAll, "Condition/t-all").Status(DiseaseStatus.PrimaryRefractory, 60)
            .Order(DraftOrderKind.Tocilizumab, Drug.Tocilizumab, 240m, null, "MedicationRequest/toci")
            .Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah")
            .Order(DraftOrderKind.Other, id: "MedicationRequest/other");

        var a = Check(b);

        Assert.Equal(OrderCheckResult.Block, a.Result);
        Assert.Equal([OrderCheckResult.Ok, OrderCheckResult.Block, OrderCheckResult.Ok], a.Orders.Select(o => o.Result));
        Assert.Equal(["MedicationRequest/toci", "MedicationRequest/kymriah", "MedicationRequest/other"], a.Orders.Select(o => o.Order.Source));
        Assert.Equal("Condition/t-all", a.Orders[1].Reasons[0].Evidence.Single().Source);
        Assert.Equal("astct-2019@1.0.0", a.RuleSet);
    }

    [Fact]
    public void GivenNoDraftOrders_WhenAssessed_ThenOkWithNothingChecked()
    {
        var a = Check(Chart.ForEligibility());

        Assert.Equal(OrderCheckResult.Ok, a.Result);
        Assert.Empty(a.Orders);
        Assert.Null(a.Tocilizumab);
        Assert.Null(a.Eligibility);
    }
}
