using CarTCds.Rules.Facts;
using CarTCds.Rules.Management;
using CarTCds.Rules.Orders;
using static CarTCds.Rules.Tests.Chart;
using static CarTCds.Rules.Tests.Management.ManagementPlanning;

namespace CarTCds.Rules.Tests.Management;

public sealed class ManagementAdviceTests
{
    // ---- CRS: what each grade is told (ASCO 2021) ---------------------------------------------

    [Fact]
    public void GivenCrsGrade3OnANonRebreather_WhenPlanned_ThenTocilizumabDexamethasoneQ6hAndIcuAreAdvised()
    {
        var plan = Day5().Weight(52m, id: "Observation/weight").Temperature(39.2m).Device(OxygenDevice.NonRebreatherMask).Plan();

        Assert.Equal("supportive-care+tocilizumab+dexamethasone+icu+refractory-options", ManagementPlan.Codes(plan.Crs));
        var dex = Action(plan.Crs, ManagementCodes.Dexamethasone);
        Assert.Equal(10m, dex.Dose!.DoseMg);
        Assert.Equal(26m, dex.Dose.UncappedDoseMg);
        Assert.Equal(TimeSpan.FromHours(6), dex.Dose.Interval);
        Assert.True(dex.SuggestOrder);
        Assert.True(dex.Recommended);
        Assert.Contains("Observation/weight", dex.Evidence.Select(e => e.Source));
        Assert.Contains("0.5 mg/kg × 52 kg = 26 mg, capped at 10 mg", dex.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenCrsGrade4OnBiPap_WhenPlanned_ThenHighDoseMethylprednisolone30MgPerKgCappedAt1GramAndIcu()
    {
        var plan = Day5().Weight(40m).Temperature(39.2m).Device(OxygenDevice.Bipap).Plan();

        Assert.Equal("supportive-care+tocilizumab+methylprednisolone-high-dose+icu+refractory-options", ManagementPlan.Codes(plan.Crs));
        var mp = Action(plan.Crs, ManagementCodes.MethylprednisoloneHighDose);
        Assert.Equal(1000m, mp.Dose!.DoseMg);
        Assert.Equal(1200m, mp.Dose.UncappedDoseMg);
        Assert.Equal(TimeSpan.FromHours(24), mp.Dose.Interval);
        Assert.Contains("for 3 days, then taper", mp.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OxygenDevice.NasalCannula, 2, false)]
    [InlineData(OxygenDevice.FaceMask, 3, true)]
    public void GivenCrsGrade2Or3_WhenPlanned_ThenIcuTransferFromGrade3(OxygenDevice device, int grade, bool icu)
    {
        var plan = Day5().Weight(30m).Temperature(39.2m).Device(device).Plan();

        Assert.Equal(icu, plan.Crs.Any(a => a.Code == ManagementCodes.Icu));
        Assert.Equal(grade == 2, plan.Crs.Any(a => a.Code == ManagementCodes.DexamethasoneIfRefractory));
        Assert.Contains(plan.Crs, a => a.Code == ManagementCodes.Tocilizumab && a.Recommended);
    }

    [Theory]
    [InlineData(3, ManagementCodes.TocilizumabIfPersistent)]
    [InlineData(4, ManagementCodes.Tocilizumab)]
    public void GivenCrsGrade1_WhenFeverHasLastedAroundThreeDays_ThenTocilizumabIsOfferedOnlyAfterMoreThanThree(int days, string expected)
    {
        var plan = Day5().Weight(30m).FeverOnDays(days).Plan();

        Assert.Equal($"supportive-care+{expected}", ManagementPlan.Codes(plan.Crs));
        var action = Action(plan.Crs, expected);
        Assert.False(action.Recommended);
        if (expected == ManagementCodes.Tocilizumab) Assert.NotEmpty(action.Evidence);
    }

    [Theory]
    [InlineData(24 * 60, true)]
    [InlineData(24 * 60 - 1, false)]
    public void GivenCrsGrade2AfterTocilizumab_WhenAround24HoursHavePassed_ThenDexamethasoneQ12hIsSuggestedFrom24H(int minutesAgo, bool refractory)
    {
        var plan = Day5().Weight(30m).Temperature(39.2m).Device(OxygenDevice.NasalCannula)
            .Given(Drug.Tocilizumab, Minutes(minutesAgo), 240m, "MedicationAdministration/toci-1").Plan();

        Assert.Equal(refractory, plan.Crs.Any(a => a.Code == ManagementCodes.Dexamethasone));
        Assert.Equal(!refractory, plan.Crs.Any(a => a.Code == ManagementCodes.DexamethasoneIfRefractory));
        if (refractory)
        {
            var dex = Action(plan.Crs, ManagementCodes.Dexamethasone);
            Assert.Equal(TimeSpan.FromHours(12), dex.Dose!.Interval);
            Assert.Equal(10m, dex.Dose.DoseMg);
            Assert.Contains("MedicationAdministration/toci-1", dex.Evidence.Select(e => e.Source));
        }
    }

    [Theory]
    [InlineData(24 * 60, true)]
    [InlineData(24 * 60 - 1, false)]
    public void GivenCrsGrade3AfterTocilizumabAndSteroids_WhenAround24HoursHavePassed_ThenAnakinraSiltuximabAndRuxolitinibAreOffered(int minutesAgo, bool refractory)
    {
        var plan = Day5().Weight(20m).Temperature(39.2m).Device(OxygenDevice.FaceMask)
            .Given(Drug.Tocilizumab, 30, 240m, "MedicationAdministration/toci-1")
            .Given(Drug.Dexamethasone, Minutes(minutesAgo), 10m, "MedicationAdministration/dex-1").Plan();

        Assert.Equal(refractory, plan.Crs.Any(a => a.Code == ManagementCodes.Anakinra));
        Assert.Equal(!refractory, plan.Crs.Any(a => a.Code == ManagementCodes.RefractoryOptions));
        if (!refractory) return;
        var anakinra = Action(plan.Crs, ManagementCodes.Anakinra);
        Assert.Equal(40m, anakinra.Dose!.DoseMg);
        Assert.False(anakinra.Recommended);
        Assert.Contains("MedicationAdministration/dex-1", anakinra.Evidence.Select(e => e.Source));
        Assert.Equal(220m, Action(plan.Crs, ManagementCodes.Siltuximab).Dose!.DoseMg);
        Assert.Equal(10m, Action(plan.Crs, ManagementCodes.Ruxolitinib).Dose!.DoseMg);
    }

    [Fact]
    public void GivenCrsImprovingFromGrade4ToGrade3_WhenTocilizumabAndSteroidsWereGivenMoreThan24HAgo_ThenItIsNotCalledRefractory()
    {
        // Yesterday (day 4) BiPAP with fever = grade 4; today a face mask with fever = grade 3.
        var plan = Day5().Weight(20m).Temperature(39m, hoursAgo: 26).Device(OxygenDevice.Bipap, hoursAgo: 26).Temperature(39.2m).Device(OxygenDevice.FaceMask)
            .Given(Drug.Tocilizumab, 30, 240m).Given(Drug.Dexamethasone, 28, 10m).Plan();

        Assert.DoesNotContain(plan.Crs, a => a.Code == ManagementCodes.Anakinra);
        Assert.Contains("Improving (grade 3, worst so far 4)", Action(plan.Crs, ManagementCodes.RefractoryOptions).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6 * 60, true)]
    [InlineData(6 * 60 - 1, false)]
    public void GivenDexamethasoneAlreadyGiven_WhenAround6HoursAgo_ThenTheNextDoseIsSuggestedOnlyFrom6H(int minutesAgo, bool due)
    {
        var plan = Day5().Weight(52m).Temperature(39.2m).Device(OxygenDevice.FaceMask)
            .Given(Drug.Dexamethasone, Minutes(minutesAgo), 10m, "MedicationAdministration/dex-1").Plan();

        var dex = Action(plan.Crs, ManagementCodes.Dexamethasone);
        Assert.Equal(due, dex.SuggestOrder);
        Assert.Single(dex.Dose!.Given);
        Assert.Contains("MedicationAdministration/dex-1", dex.Evidence.Select(e => e.Source));
        Assert.Contains(due ? "next dose due now" : "next not before", dex.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNoWeight_WhenCrsGrade3_ThenTheDoseCouldNotBeComputedAndNoOrderIsSuggested()
    {
        var plan = Day5().Temperature(39.2m).Device(OxygenDevice.FaceMask).Plan();

        var dex = Action(plan.Crs, ManagementCodes.Dexamethasone);
        Assert.Null(dex.Dose!.DoseMg);
        Assert.False(dex.SuggestOrder);
        Assert.Contains("dose could not be computed", dex.Text, StringComparison.Ordinal);
        Assert.Equal("body weight (LOINC 29463-7)", Assert.Single(dex.Dose.Missing));
    }

    // Fever at 10:00 on each of the last days (infusion 76 h ago, at 08:00 on day 0): fever on every
    // day of the course counts from day 0 on; more than 3 days → tocilizumab (ASCO 2021).
    [Theory]
    [InlineData(1, ManagementCodes.TocilizumabIfPersistent, "(fever so far on 1 day)")]
    [InlineData(2, ManagementCodes.TocilizumabIfPersistent, "(fever so far on 2 days)")]
    [InlineData(4, ManagementCodes.Tocilizumab, "Fever on 4 consecutive days (more than 3)")]
    public void GivenCrsGrade1_WhenFeverOnEveryDaySinceInfusion_ThenTheDaysAreCountedFromDay0(int days, string expected, string text)
    {
        var plan = new Chart().Infused(76, "Procedure/infusion").Weight(30m).FeverOnDays(days).Plan();

        var action = Action(plan.Crs, expected);
        Assert.Equal($"supportive-care+{expected}", ManagementPlan.Codes(plan.Crs));
        Assert.Contains(text, action.Text, StringComparison.Ordinal);
        Assert.Equal(expected == ManagementCodes.Tocilizumab ? [Ref("Observation", 2)] : [], action.Evidence.Select(e => e.Source));
    }

    // A site that allows 3 tocilizumab doses per course (Orders.TocilizumabMaxDosesTotal): CRS grade 2
    // with all of them given, the first less than 24 h ago, is not improving → dexamethasone now.
    [Theory]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public void GivenCrsGrade2_WhenTheMostTocilizumabDosesOfTheCourseWereGiven_ThenDexamethasoneIsSuggestedBefore24H(int doses, bool dexamethasone)
    {
        var rules = new RuleSet { Version = "1.0.0-site", Orders = new OrderCheckParameters { TocilizumabMaxDosesTotal = 3, TocilizumabMaxDosesPer24h = 3 } };
        Assert.Empty(rules.Validate());
        var b = Day5().Weight(30m).Temperature(39.2m).Device(OxygenDevice.NasalCannula);
        foreach (var hoursAgo in new[] { 20.0, 12.0, 4.0 }.TakeLast(doses)) b.Given(Drug.Tocilizumab, hoursAgo, 240m, $"MedicationAdministration/toci-{hoursAgo}");

        var plan = b.Plan(rules);

        Assert.Equal(dexamethasone ? "supportive-care+tocilizumab+dexamethasone" : "supportive-care+tocilizumab+dexamethasone-if-refractory", ManagementPlan.Codes(plan.Crs));
        if (dexamethasone)
        {
            var dex = Action(plan.Crs, ManagementCodes.Dexamethasone);
            Assert.Contains("MedicationAdministration/toci-20", dex.Evidence.Select(e => e.Source));
            Assert.Contains("CRS grade 2 still 20 h after the first tocilizumab", dex.Text, StringComparison.Ordinal);
        }
    }

    // CRS grade 2, tocilizumab 2 h ago (not refractory), a corticosteroid at the given time: once a
    // steroid is on board (up to now included), "dexamethasone if refractory" is not advised again.
    [Theory]
    [InlineData(1.0, false)]
    [InlineData(0.0, false)]
    [InlineData(-1 / 60.0, true)]
    public void GivenCrsGrade2AndASteroidAlreadyGiven_WhenPlanned_ThenDexamethasoneIfRefractoryIsNotAdvised(double steroidHoursAgo, bool advised)
    {
        var plan = Day5().Weight(30m).Temperature(39.2m).Device(OxygenDevice.NasalCannula)
            .Given(Drug.Tocilizumab, 2, 240m, "MedicationAdministration/toci-1").Given(Drug.Dexamethasone, steroidHoursAgo, 10m, "MedicationAdministration/dex-1").Plan();

        Assert.Equal(advised ? "supportive-care+tocilizumab+dexamethasone-if-refractory" : "supportive-care+tocilizumab", ManagementPlan.Codes(plan.Crs));
    }

    // CRS grade 2 with tocilizumab exactly at the infusion instant (5 days ago) or a minute before it:
    // only a dose from the infusion on is this course's first tocilizumab.
    [Theory]
    [InlineData(0.0, true)]
    [InlineData(1.0, false)]
    public void GivenCrsGrade2_WhenTocilizumabWasGivenAtTheInfusionInstant_ThenItCountsAsTheCoursesFirstDose(double minutesBeforeInfusion, bool counted)
    {
        var plan = Day5().Weight(30m).Temperature(39.2m).Device(OxygenDevice.NasalCannula)
            .Given(Drug.Tocilizumab, Days(5) + Minutes(minutesBeforeInfusion), 240m, "MedicationAdministration/toci-1").Plan();

        Assert.Equal(Now.AddDays(-5), plan.EpisodeStart);
        Assert.Equal(counted ? "supportive-care+tocilizumab+dexamethasone" : "supportive-care+tocilizumab+dexamethasone-if-refractory", ManagementPlan.Codes(plan.Crs));
        if (counted) Assert.Contains("MedicationAdministration/toci-1", Action(plan.Crs, ManagementCodes.Dexamethasone).Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenNoInfusionOnRecord_WhenCrsGrade3AfterDexamethasone_ThenDosesAreCountedOverTheLookBack()
    {
        var plan = new Chart().Weight(52m).Temperature(39.2m).Device(OxygenDevice.FaceMask).Given(Drug.Dexamethasone, 2, 10m, "MedicationAdministration/dex-1").Plan();

        Assert.Equal(Now - RuleSet.Default.Orders.TocilizumabCountLookBackWithoutInfusion, plan.EpisodeStart);
        var dex = Action(plan.Crs, ManagementCodes.Dexamethasone);
        Assert.Equal("MedicationAdministration/dex-1", Assert.Single(dex.Dose!.Given).Source);
        Assert.Contains("Already given in this episode: 1 dose", dex.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNoCrs_WhenPlanned_ThenNoCrsActions()
    {
        var plan = Day5().Weight(30m).Temperature(37.2m).Plan();

        Assert.Empty(plan.Crs);
        Assert.Equal("none", ManagementPlan.Codes(plan.Crs));
    }

    // ---- ICANS --------------------------------------------------------------------------------

    [Theory]
    [InlineData(5, "neuro-supportive-care+dexamethasone", 12)]
    [InlineData(2, "neuro-supportive-care+dexamethasone+icu", 6)]
    public void GivenIcansGrade2Or3_WhenPlanned_ThenDexamethasoneMoreOftenAtGrade3AndIcuFromGrade3(int ice, string codes, int everyHours)
    {
        var plan = Day5().Weight(16m).Temperature(37m).Ice(ice, 1).Plan();

        Assert.Equal(codes, ManagementPlan.Codes(plan.Icans));
        var dex = Action(plan.Icans, ManagementCodes.Dexamethasone);
        Assert.Equal(TimeSpan.FromHours(everyHours), dex.Dose!.Interval);
        Assert.Equal(8m, dex.Dose.DoseMg);
        Assert.True(dex.SuggestOrder);
    }

    [Fact]
    public void GivenIcansGrade3AndCrsGrade3_WhenBothAdviseDexamethasoneQ6h_ThenOnlyTheCrsCardSuggestsTheOrder()
    {
        var plan = Day5().Weight(52m).Temperature(39.2m).Device(OxygenDevice.FaceMask).Ice(2, 1).Plan();

        Assert.True(Action(plan.Crs, ManagementCodes.Dexamethasone).SuggestOrder);
        var icans = Action(plan.Icans, ManagementCodes.Dexamethasone);
        Assert.False(icans.SuggestOrder);
        Assert.Contains("The CRS card's order covers it.", icans.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenASeizure_WhenNoLevetiracetamSinceIt_ThenA40MgPerKgLoadingDoseCappedAt2500MgIsSuggested()
    {
        var plan = Day5().Weight(70m).Temperature(37m).Seizure(hoursAgo: 4, id: "Observation/seizure").Plan();

        Assert.Equal("neuro-supportive-care+dexamethasone+icu+levetiracetam-loading", ManagementPlan.Codes(plan.Icans));
        var lev = Action(plan.Icans, ManagementCodes.LevetiracetamLoading);
        Assert.Equal(2500m, lev.Dose!.DoseMg);
        Assert.Equal(2800m, lev.Dose.UncappedDoseMg);
        Assert.Null(lev.Dose.Interval);
        Assert.True(lev.SuggestOrder);
        Assert.Contains("Observation/seizure", lev.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenASeizure_WhenLevetiracetamWasGivenAfterIt_ThenNoSecondLoadingDoseIsSuggested()
    {
        var plan = Day5().Weight(30m).Temperature(37m).Seizure(hoursAgo: 4, id: "Observation/seizure").Given(Drug.Levetiracetam, 3, 1200m, "MedicationAdministration/lev").Plan();

        var lev = Action(plan.Icans, ManagementCodes.LevetiracetamLoading);
        Assert.Null(lev.Dose);
        Assert.False(lev.SuggestOrder);
        Assert.Contains("MedicationAdministration/lev", lev.Evidence.Select(e => e.Source));
    }

    [Theory]
    [InlineData(EdemaKind.Focal, 3)]
    [InlineData(EdemaKind.Diffuse, 4)]
    public void GivenCerebralOedema_WhenPlanned_ThenHighDoseMethylprednisoloneAndTheAscoMeasures(EdemaKind kind, int grade)
    {
        var plan = Day5().Weight(20m).Temperature(37m).Oedema(kind, id: "Observation/oedema").Plan();

        var mp = Action(plan.Icans, ManagementCodes.MethylprednisoloneHighDose);
        Assert.Equal(600m, mp.Dose!.DoseMg);
        Assert.Contains($"ICANS grade {grade}", mp.Text, StringComparison.Ordinal);
        var measures = Action(plan.Icans, ManagementCodes.CerebralOedemaMeasures);
        Assert.Contains("hyperosmolar therapy", measures.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/oedema", Assert.Single(measures.Evidence).Source);
        Assert.DoesNotContain(plan.Icans, a => a.Code == ManagementCodes.Dexamethasone);
    }

    // ICANS grade 4 without cerebral oedema (deep focal motor weakness) gets high-dose
    // methylprednisolone and ICU with airway protection; grade 3 gets ICU without it (ASCO 2021).
    [Theory]
    [InlineData(4, "neuro-supportive-care+methylprednisolone-high-dose+icu", true)]
    [InlineData(3, "neuro-supportive-care+dexamethasone+icu", false)]
    public void GivenIcansGrade3Or4WithoutOedema_WhenPlanned_ThenHighDoseMethylprednisoloneAndAirwayProtectionOnlyAtGrade4(int grade, string codes, bool airway)
    {
        var b = Day5().Weight(20m).Temperature(37m);
        _ = grade == 4 ? b.Motor(1, "Observation/motor") : b.Ice(2, 1, "Observation/ice");

        var plan = b.Plan();

        Assert.Equal(codes, ManagementPlan.Codes(plan.Icans));
        Assert.Equal(airway, Action(plan.Icans, ManagementCodes.Icu).Text.Contains("airway protection / mechanical ventilation as needed", StringComparison.Ordinal));
        Assert.StartsWith($"ICANS grade {grade}: intensive care", Action(plan.Icans, ManagementCodes.Icu).Text, StringComparison.Ordinal);
        if (grade == 4)
        {
            var mp = Action(plan.Icans, ManagementCodes.MethylprednisoloneHighDose);
            Assert.StartsWith("ICANS grade 4: high-dose methylprednisolone for 3 days", mp.Text, StringComparison.Ordinal);
            Assert.Equal(600m, mp.Dose!.DoseMg);
        }
    }

    // ICANS grade 3 (ICE 2) or 2 (ICE 5) with a corticosteroid started at the given time: refractory
    // from 24 h after it at grade ≥ 3 → anakinra (seed 002).
    [Theory]
    [InlineData(2, 24 * 60, true)]
    [InlineData(2, 24 * 60 - 1, false)]
    [InlineData(5, 24 * 60, false)]
    public void GivenIcansAfterDexamethasone_WhenAround24HoursHavePassed_ThenAnakinraFromGrade3(int ice, int minutesAgo, bool anakinra)
    {
        var plan = Day5().Weight(20m).Temperature(37m).Ice(ice, 1).Given(Drug.Dexamethasone, Minutes(minutesAgo), 10m, "MedicationAdministration/dex-1").Plan();

        Assert.Equal(anakinra, plan.Icans.Any(a => a.Code == ManagementCodes.Anakinra));
        if (!anakinra) return;
        var action = Action(plan.Icans, ManagementCodes.Anakinra);
        Assert.Contains("MedicationAdministration/dex-1", action.Evidence.Select(e => e.Source));
        Assert.Contains("ICANS grade 3 still 24 h after corticosteroids: refractory", action.Text, StringComparison.Ordinal);
    }

    // A seizure 4 h ago (ICANS grade 4 needs none of this: a rapidly resolving one is grade 3) and a
    // drug at the given time: only levetiracetam from the seizure up to now is "already given after it".
    [Theory]
    [InlineData(Drug.Levetiracetam, 4.0, true)]
    [InlineData(Drug.Levetiracetam, 4 + (1 / 60.0), false)]
    [InlineData(Drug.Levetiracetam, 0.0, true)]
    [InlineData(Drug.Levetiracetam, -1 / 60.0, false)]
    [InlineData(Drug.Dexamethasone, 3.0, false)]
    public void GivenASeizure_WhenADrugWasGivenAroundItOrNow_ThenOnlyLevetiracetamSinceTheSeizureAvoidsASecondLoadingDose(Drug drug, double hoursAgo, bool given)
    {
        var plan = Day5().Weight(30m).Temperature(37m).Seizure(hoursAgo: 4, id: "Observation/seizure").Given(drug, hoursAgo, 100m, "MedicationAdministration/drug").Plan();

        var lev = Action(plan.Icans, ManagementCodes.LevetiracetamLoading);
        Assert.Equal(!given, lev.SuggestOrder);
        Assert.Equal(given, lev.Dose is null);
        Assert.StartsWith(given ? "Seizure (2013-05-19 08:00Z): levetiracetam already given after it" : "Seizure (2013-05-19 08:00Z): benzodiazepine for an ongoing seizure, then a levetiracetam loading dose",
            lev.Text, StringComparison.Ordinal);
        Assert.Equal(given, lev.Evidence.Any(e => e.Source == "MedicationAdministration/drug"));
        Assert.Contains("Observation/seizure", lev.Evidence.Select(e => e.Source));
    }

    // Seizures now and one charted a minute after now: the latest up to now is named.
    [Theory]
    [InlineData(0.0, "Seizure (2013-05-19 12:00Z)")]
    [InlineData(-1 / 60.0, "Seizure (2013-05-19 08:00Z)")]
    public void GivenSeizures_WhenTheLatestIsNowOrAfterNow_ThenTheLatestUpToNowIsNamed(double latestHoursAgo, string text)
    {
        var plan = Day5().Weight(30m).Temperature(37m).Seizure(hoursAgo: 4, id: "Observation/seizure-1").Seizure(hoursAgo: latestHoursAgo, id: "Observation/seizure-2").Plan();

        Assert.StartsWith(text, Action(plan.Icans, ManagementCodes.LevetiracetamLoading).Text, StringComparison.Ordinal);
    }

    // ---- IEC-HS -------------------------------------------------------------------------------

    [Theory]
    [InlineData(24 * 60, false)]
    [InlineData(24 * 60 + 1, true)]
    public void GivenAnIecHsFlag_WhenAFerritinResultedAround24HoursAgo_ThenAFerritinOrderIsSuggestedOnlyAfter24H(int minutesAgo, bool suggested)
    {
        var plan = Day5().Weight(25m).Lab(LabTest.Ferritin, 45_000m, Minutes(minutesAgo), 400m, "Observation/ferritin").Plan(iecHsFlag: true);

        var ferritin = Action(plan.IecHs, ManagementCodes.Ferritin);
        Assert.Equal(suggested, ferritin.SuggestOrder);
        Assert.Equal(suggested, plan.RecentFerritin is null);
        if (!suggested) Assert.Equal("Observation/ferritin", Assert.Single(ferritin.Evidence).Source);
    }

    [Theory]
    [InlineData(48 * 60, true)]
    [InlineData(48 * 60 - 1, false)]
    public void GivenAnIecHsFlag_WhenAnakinraStartedAround48HoursAgo_ThenRuxolitinibIsOfferedFrom48H(int minutesAgo, bool refractory)
    {
        var plan = Day5().Weight(25m).Given(Drug.Anakinra, Minutes(minutesAgo), 50m, "MedicationAdministration/ana-1").Plan(iecHsFlag: true);

        var anakinra = Action(plan.IecHs, ManagementCodes.Anakinra);
        Assert.Equal(50m, anakinra.Dose!.DoseMg);
        Assert.Equal(refractory, plan.IecHs.Any(a => a.Code == ManagementCodes.Ruxolitinib));
        Assert.Equal(!refractory, plan.IecHs.Any(a => a.Code == ManagementCodes.IecHsSecondLine));
    }

    // A ferritin resulted exactly now is recent; one charted a minute after now, or another lab, is not.
    [Theory]
    [InlineData(LabTest.Ferritin, 0.0, false)]
    [InlineData(LabTest.Ferritin, -1 / 60.0, true)]
    [InlineData(LabTest.Crp, 1.0, true)]
    public void GivenAnIecHsFlag_WhenALabWasResultedNowOrAfterNow_ThenOnlyAFerritinUpToNowIsRecent(LabTest test, double hoursAgo, bool suggested)
    {
        var plan = Day5().Weight(25m).Lab(test, 45_000m, hoursAgo, 400m, "Observation/lab").Plan(iecHsFlag: true);

        var ferritin = Action(plan.IecHs, ManagementCodes.Ferritin);
        Assert.Equal(suggested, ferritin.SuggestOrder);
        Assert.Equal(suggested ? null : "Observation/lab", plan.RecentFerritin?.Source);
        Assert.Equal(suggested ? [] : ["Observation/lab"], ferritin.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenAnIecHsFlagAndRefractoryCrsGrade3_WhenPlanned_ThenOnlyTheCrsAnakinraRefersToTheIecHsCard()
    {
        var plan = Day5().Weight(20m).Temperature(39.2m).Device(OxygenDevice.FaceMask)
            .Given(Drug.Tocilizumab, 30, 240m, "MedicationAdministration/toci-1").Given(Drug.Dexamethasone, 25, 10m, "MedicationAdministration/dex-1").Plan(iecHsFlag: true);

        var crsAnakinra = Action(plan.Crs, ManagementCodes.Anakinra);
        Assert.False(crsAnakinra.SuggestOrder);
        Assert.EndsWith(" The IEC-HS card's anakinra order covers it.", crsAnakinra.Text, StringComparison.Ordinal);
        Assert.True(Action(plan.IecHs, ManagementCodes.Anakinra).SuggestOrder);
        var siltuximab = Action(plan.Crs, ManagementCodes.Siltuximab);
        Assert.True(siltuximab.SuggestOrder);
        Assert.DoesNotContain("IEC-HS card", siltuximab.Text, StringComparison.Ordinal);
        Assert.Contains("MedicationAdministration/dex-1", crsAnakinra.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenNoIecHsFlag_WhenPlanned_ThenNoIecHsActions()
    {
        Assert.Empty(Day5().Weight(25m).Plan().IecHs);
    }
}
