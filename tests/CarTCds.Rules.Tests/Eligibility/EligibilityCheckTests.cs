using System.Globalization;
using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Eligibility;

public sealed class EligibilityCheckTests
{
    private static readonly DateTimeOffset Now = Chart.EligibilityNow;

    private static DateOnly D(string s) => DateOnly.Parse(s, CultureInfo.InvariantCulture);

    private static DateTimeOffset Noon(string date) => new(D(date).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    private static EligibilityAssessment Assess(Chart b, RuleSet? rules = null, DateTimeOffset? at = null, DateOnly? planned = null) =>
        EligibilityCheck.Assess(b.Build(), at ?? Now, rules ?? RuleSet.Default, planned);

    private static EligibilityReason Reason(EligibilityAssessment a, string criterion) => Assert.Single(a.Reasons, r => r.Criterion == criterion);

    // ---- Age: label "up to 25 years of age"; default inclusive of 25 (through the day before the 26th birthday).

    [Theory]
    [InlineData("2026-05-18", true, 25, EligibilityStatus.Eligible)]
    [InlineData("2026-05-19", true, 26, EligibilityStatus.NotEligible)]
    [InlineData("2025-05-19", true, 25, EligibilityStatus.Eligible)]
    [InlineData("2025-05-18", false, 24, EligibilityStatus.Eligible)]
    [InlineData("2025-05-19", false, 25, EligibilityStatus.NotEligible)]
    [InlineData("2026-05-18", false, 25, EligibilityStatus.NotEligible)]
    public void GivenBornOn2000May19_WhenAssessedAroundTheBirthday_ThenTheInclusiveParameterDecides(string on, bool inclusive, int age, EligibilityStatus expected)
    {
        var b = Chart.EligibleBAll().Born(D("2000-05-19"));
        var rules = new RuleSet { Eligibility = new EligibilityParameters { AgeLimitInclusive = inclusive } };

        var a = Assess(b, rules, Noon(on));

        Assert.Equal(expected, a.Eligibility);
        Assert.Equal(age, a.AgeYears);
        var r = Reason(a, "age");
        Assert.Equal(expected == EligibilityStatus.Eligible ? CriterionOutcome.Met : CriterionOutcome.NotMet, r.Outcome);
        Assert.Contains($"Age {age} y", r.Text, StringComparison.Ordinal);
        var ev = Assert.Single(r.Evidence);
        Assert.Equal("Patient/p", ev.Source);
        Assert.Equal("birth date 2000-05-19", ev.Description);
        Assert.Empty(a.Missing);
    }

    [Theory]
    [InlineData("2026-02-28", 25, EligibilityStatus.Eligible)]
    [InlineData("2026-03-01", 26, EligibilityStatus.NotEligible)]
    [InlineData("2024-02-29", 24, EligibilityStatus.Eligible)]
    public void GivenALeapDayBirthday_WhenTheAnniversaryFallsInANonLeapYear_ThenItIsReachedOnMarch1(string on, int age, EligibilityStatus expected)
    {
        var b = Chart.EligibleBAll().Born(D("2000-02-29"));

        var a = Assess(b, at: Noon(on));

        Assert.Equal(expected, a.Eligibility);
        Assert.Equal(age, a.AgeYears);
        Assert.Equal(D("2026-02-28"), EligibilityCheck.LastEligibleDay(D("2000-02-29"), RuleSet.Default.Eligibility));
        Assert.Contains("through 2026-02-28", Reason(a, "age").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAPlannedInfusionOnThe26thBirthday_WhenAssessedTheMonthBefore_ThenTheInfusionDateDecidesAndIsNotEligible()
    {
        var b = Chart.EligibleBAll().Born(D("2000-05-19"));

        var before = Assess(b, at: Noon("2026-04-19"));
        var planned = Assess(b, at: Noon("2026-04-19"), planned: D("2026-05-19"));

        Assert.Equal(EligibilityStatus.Eligible, before.Eligibility);
        Assert.Equal(EligibilityStatus.NotEligible, planned.Eligibility);
        Assert.Equal(D("2026-05-19"), planned.AgeDate);
        Assert.Contains("planned infusion date 2026-05-19", Reason(planned, "age").Text, StringComparison.Ordinal);
        Assert.Equal("Patient/p", Assert.Single(Reason(planned, "age").Evidence).Source);
    }

    [Fact]
    public void GivenAnEvaluationTimeWithAnOffset_WhenUtcIsAlreadyThe26thBirthday_ThenTheLocalDateCounts()
    {
        // 2026-05-18 23:00 at UTC−5 is 2026-05-19 04:00 UTC; the patient's local date is still the 18th.
        var b = Chart.EligibleBAll().Born(D("2000-05-19"));

        var a = Assess(b, at: new DateTimeOffset(2026, 5, 18, 23, 0, 0, TimeSpan.FromHours(-5)));

        Assert.Equal(EligibilityStatus.Eligible, a.Eligibility);
        Assert.Equal(25, a.AgeYears);
        Assert.Equal(D("2026-05-18"), a.AgeDate);
    }

    [Fact]
    public void GivenNoBirthDate_WhenAssessed_ThenUndeterminedAndBirthDateIsMissing()
    {
        var a = Assess(Chart.EligibleBAll().Born(null));

        Assert.Equal(EligibilityStatus.Undetermined, a.Eligibility);
        Assert.Equal(["Patient.birthDate"], a.Missing);
        Assert.Null(a.AgeYears);
        Assert.Equal(CriterionOutcome.Undetermined, Reason(a, "age").Outcome);
        Assert.Empty(Reason(a, "age").Evidence);
    }

    [Fact]
    public void GivenABirthDateAfterTheEvaluationDate_WhenAssessed_ThenUndeterminedNotAnAge()
    {
        var a = Assess(Chart.EligibleBAll().Born(D("2027-01-01")));

        Assert.Equal(EligibilityStatus.Undetermined, a.Eligibility);
        Assert.Null(a.AgeYears);
        Assert.Contains(a.Missing, m => m.StartsWith("Patient.birthDate", StringComparison.Ordinal));
        Assert.Equal("Patient/p", Assert.Single(Reason(a, "age").Evidence).Source);
    }

    // ---- Diagnosis: B-cell precursor ALL only; C91.0x alone does not say the lineage.

    [Theory]
    [InlineData(new[] { DiagnosisKind.BCellAll }, CriterionOutcome.Met, null)]
    [InlineData(new[] { DiagnosisKind.AllLineageUnspecified, DiagnosisKind.BCellAll }, CriterionOutcome.Met, null)]
    [InlineData(new[] { DiagnosisKind.TCellAll }, CriterionOutcome.NotMet, null)]
    [InlineData(new[] { DiagnosisKind.AllLineageUnspecified, DiagnosisKind.TCellAll }, CriterionOutcome.NotMet, null)]
    [InlineData(new[] { DiagnosisKind.OtherLeukaemia }, CriterionOutcome.NotMet, null)]
    [InlineData(new[] { DiagnosisKind.AllLineageUnspecified }, CriterionOutcome.Undetermined, "B-lineage confirmation (SNOMED 277571004 or immunophenotype)")]
    [InlineData(new[] { DiagnosisKind.OtherLeukaemia, DiagnosisKind.AllLineageUnspecified }, CriterionOutcome.Undetermined, "B-lineage confirmation (SNOMED 277571004 or immunophenotype)")]
    [InlineData(new[] { DiagnosisKind.BCellAll, DiagnosisKind.TCellAll }, CriterionOutcome.Undetermined, "lineage confirmation: both B-cell ALL and T-cell ALL are recorded (immunophenotype)")]
    [InlineData(new DiagnosisKind[0], CriterionOutcome.Undetermined, "leukaemia diagnosis (Condition: SNOMED 277571004 B-cell ALL, or ICD-10-CM C91.0x with lineage)")]
    public void GivenDiagnoses_WhenAssessed_ThenOnlyBCellAllMeetsTheLabel(DiagnosisKind[] kinds, CriterionOutcome outcome, string? missing)
    {
        var b = Chart.ForEligibility().Status(DiseaseStatus.PrimaryRefractory, 100, "Observation/pr");
        for (var i = 0; i < kinds.Length; i++) b.Diagnosis(kinds[i], $"Condition/dx-{i}");

        var a = Assess(b);

        var r = Reason(a, "diagnosis");
        Assert.Equal(outcome, r.Outcome);
        Assert.Equal(outcome switch
        {
            CriterionOutcome.Met => EligibilityStatus.Eligible,
            CriterionOutcome.NotMet => EligibilityStatus.NotEligible,
            _ => EligibilityStatus.Undetermined,
        }, a.Eligibility);
        if (missing is null) Assert.Empty(a.Missing);
        else Assert.Equal([missing], a.Missing);
        if (outcome == CriterionOutcome.NotMet) Assert.Contains("T-ALL and other leukaemias are not eligible", r.Text, StringComparison.Ordinal);
        var expectedSources = kinds.Length == 0 ? [] : r.Outcome == CriterionOutcome.Met
            ? kinds.Select((k, i) => (k, i)).Where(x => x.k == DiagnosisKind.BCellAll).Select(x => $"Condition/dx-{x.i}").ToArray()
            : kinds.Select((_, i) => $"Condition/dx-{i}").ToArray();
        Assert.Equal(expectedSources, r.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GivenOnlyAnIcd10C91Code_WhenAssessed_ThenTheCardExplainsWhyLineageIsNeeded()
    {
        var a = Assess(Chart.ForEligibility().Diagnosis(DiagnosisKind.AllLineageUnspecified, "Condition/c91").Status(DiseaseStatus.PrimaryRefractory, 10));

        var r = Reason(a, "diagnosis");
        Assert.Contains("C91.0x, which covers B- and T-lineage ALL alike", r.Text, StringComparison.Ordinal);
        Assert.Equal("Condition/c91", Assert.Single(r.Evidence).Source);
    }

    [Fact]
    public void GivenADiagnosisWithOnsetAfterTheEvaluationTime_WhenAssessed_ThenItIsIgnored()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll, "Condition/later", onsetDaysAgo: -3).Status(DiseaseStatus.PrimaryRefractory, 10);

        var a = Assess(b);

        Assert.Equal(CriterionOutcome.Undetermined, Reason(a, "diagnosis").Outcome);
        Assert.Contains(a.Notes, n => n.Contains("onset after the evaluation time", StringComparison.Ordinal));
    }

    // ---- Disease status: refractory, or second or later relapse (events counted, not Conditions).

    [Theory]
    [InlineData(new[] { DiseaseStatus.PrimaryRefractory }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.RefractoryRelapse }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.Relapse }, CriterionOutcome.NotMet)]
    [InlineData(new[] { DiseaseStatus.Relapse, DiseaseStatus.Relapse }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.Relapse, DiseaseStatus.RefractoryRelapse }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.Relapse, DiseaseStatus.Remission, DiseaseStatus.Relapse, DiseaseStatus.Remission, DiseaseStatus.Relapse }, CriterionOutcome.Met)]
    [InlineData(new[] { DiseaseStatus.Remission }, CriterionOutcome.NotMet)]
    [InlineData(new[] { DiseaseStatus.Relapse, DiseaseStatus.Remission }, CriterionOutcome.NotMet)]
    [InlineData(new[] { DiseaseStatus.MrdPositive }, CriterionOutcome.Undetermined)]
    [InlineData(new[] { DiseaseStatus.MrdPositive, DiseaseStatus.Remission }, CriterionOutcome.NotMet)]
    public void GivenDiseaseStatusEventsAYearApart_WhenAssessed_ThenRefractoryOrTwoRelapsesAreEligible(DiseaseStatus[] statuses, CriterionOutcome outcome)
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all");
        for (var i = 0; i < statuses.Length; i++) b.Status(statuses[i], 2000 - (365 * i), $"Observation/status-{i}");

        var a = Assess(b);

        var r = Reason(a, "disease-status");
        Assert.Equal(outcome, r.Outcome);
        Assert.NotEmpty(r.Evidence);
        Assert.All(r.Evidence, e => Assert.StartsWith("Observation/status-", e.Source, StringComparison.Ordinal));
        Assert.Equal(outcome switch
        {
            CriterionOutcome.Met => EligibilityStatus.Eligible,
            CriterionOutcome.NotMet => EligibilityStatus.NotEligible,
            _ => EligibilityStatus.Undetermined,
        }, a.Eligibility);
    }

    [Fact]
    public void GivenOneRelapseWithoutARecordedResponse_WhenAssessed_ThenNotEligibleByLabelWithTheRelapseAsEvidence()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all").Status(DiseaseStatus.Relapse, 90, "Observation/relapse-1");

        var a = Assess(b);

        Assert.Equal(EligibilityStatus.NotEligible, a.Eligibility);
        var r = Reason(a, "disease-status");
        // No response is recorded, so the relapse is not called chemo-sensitive (issue 20 §5).
        Assert.Contains("not recorded as refractory and no response recorded", r.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("chemo-sensitive", r.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/relapse-1", Assert.Single(r.Evidence).Source);
    }

    [Fact]
    public void GivenTwoRelapses_WhenAssessed_ThenBothRelapseEventsAreTheEvidence()
    {
        var a = Assess(Chart.EligibleBAll());

        Assert.Equal(EligibilityStatus.Eligible, a.Eligibility);
        var r = Reason(a, "disease-status");
        Assert.StartsWith("2 relapses", r.Text, StringComparison.Ordinal);
        Assert.Equal(["Observation/relapse-1", "Observation/relapse-2"], r.Evidence.Select(e => e.Source));
        Assert.Empty(a.Missing);
        Assert.Equal("astct-2019@1.0.0", a.RuleSet);
        Assert.Equal("eligible", a.Code);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(27, 1)]
    [InlineData(28, 2)]
    [InlineData(200, 2)]
    public void GivenTwoRelapseEventsWithoutRemissionBetween_WhenCloserThan28Days_ThenTheyAreOneRelapse(int daysApart, int relapses)
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll)
            .Status(DiseaseStatus.Relapse, 300, "Observation/r-a")
            .Status(DiseaseStatus.Relapse, 300 - daysApart, "Observation/r-b");

        var a = Assess(b);

        Assert.Equal(relapses == 2 ? CriterionOutcome.Met : CriterionOutcome.NotMet, Reason(a, "disease-status").Outcome);
        Assert.Equal(relapses == 1, a.Notes.Any(n => n.Contains("counted as one relapse", StringComparison.Ordinal)));
    }

    [Fact]
    public void GivenARemissionBetweenTwoRelapseEvents_WhenCloserThan28Days_ThenTheyAreTwoRelapses()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll)
            .Status(DiseaseStatus.Relapse, 300, "Observation/r-a")
            .Status(DiseaseStatus.Remission, 290, "Observation/cr")
            .Status(DiseaseStatus.Relapse, 280, "Observation/r-b");

        var a = Assess(b);

        var r = Reason(a, "disease-status");
        Assert.Equal(CriterionOutcome.Met, r.Outcome);
        Assert.Equal(["Observation/r-a", "Observation/r-b"], r.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenTheDistinctRelapseGapSetToZero_WhenTwoRelapseEventsShareADay_ThenEveryEventCounts()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll).Status(DiseaseStatus.Relapse, 30).Status(DiseaseStatus.Relapse, 30);
        var rules = new RuleSet { Eligibility = new EligibilityParameters { DistinctRelapseMinGap = TimeSpan.Zero } };

        var a = Assess(b, rules);

        Assert.Equal(EligibilityStatus.Eligible, a.Eligibility);
    }

    [Fact]
    public void GivenASecondRelapseDatedAfterTheEvaluationTime_WhenAssessed_ThenItIsIgnored()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll)
            .Status(DiseaseStatus.Relapse, 400, "Observation/relapse-1")
            .Status(DiseaseStatus.Relapse, -1, "Observation/relapse-future");

        var a = Assess(b);

        Assert.Equal(EligibilityStatus.NotEligible, a.Eligibility);
        Assert.Equal("Observation/relapse-1", Assert.Single(Reason(a, "disease-status").Evidence).Source);
        Assert.Contains(a.Notes, n => n.StartsWith("1 disease-status event(s) dated after the evaluation time were ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenOnlyAPrimaryRefractoryEventAfterTheEvaluationTime_WhenAssessed_ThenUndeterminedForLackOfEvents()
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll).Status(DiseaseStatus.PrimaryRefractory, -2);

        var a = Assess(b);

        Assert.Equal(EligibilityStatus.Undetermined, a.Eligibility);
        Assert.Equal(["disease-status events (cartcds#disease-status)"], a.Missing);
    }

    [Fact]
    public void GivenNoDiseaseStatusEvents_WhenAssessed_ThenUndeterminedAndTheEventsAreMissing()
    {
        var a = Assess(Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all"));

        Assert.Equal(EligibilityStatus.Undetermined, a.Eligibility);
        Assert.Equal(["disease-status events (cartcds#disease-status)"], a.Missing);
        Assert.Empty(Reason(a, "disease-status").Evidence);
        Assert.Equal("Condition/b-all", Assert.Single(Reason(a, "diagnosis").Evidence).Source);
    }

    [Theory]
    [InlineData(false, EligibilityStatus.NotEligible)]
    [InlineData(true, EligibilityStatus.Eligible)]
    public void GivenAFirstRelapseAfterAllogeneicSct_WhenThePostTransplantParameterIsSet_ThenItDecides(bool postTransplantEligible, EligibilityStatus expected)
    {
        var b = Chart.ForEligibility().Diagnosis(DiagnosisKind.BCellAll)
            .Transplant(Now.AddDays(-400), "Procedure/sct")
            .Status(DiseaseStatus.Relapse, 100, "Observation/relapse-1");
        var rules = new RuleSet { Eligibility = new EligibilityParameters { FirstRelapsePostTransplantEligible = postTransplantEligible } };

        var a = Assess(b, rules);

        Assert.Equal(expected, a.Eligibility);
        var sources = Reason(a, "disease-status").Evidence.Select(e => e.Source).ToList();
        Assert.Contains("Observation/relapse-1", sources);
        Assert.Equal(postTransplantEligible, sources.Contains("Procedure/sct"));
        if (!postTransplantEligible) Assert.Contains(a.Notes, n => n.Contains("EU SmPC", StringComparison.Ordinal));
    }

    // ---- Combining criteria.

    [Fact]
    public void GivenNothingKnown_WhenAssessed_ThenUndeterminedListingExactlyWhatIsMissing()
    {
        var a = Assess(Chart.ForEligibility().Born(null));

        Assert.Equal(EligibilityStatus.Undetermined, a.Eligibility);
        Assert.Equal(
            ["Patient.birthDate", "leukaemia diagnosis (Condition: SNOMED 277571004 B-cell ALL, or ICD-10-CM C91.0x with lineage)", "disease-status events (cartcds#disease-status)"],
            a.Missing);
        Assert.Equal("undetermined", a.Code);
    }

    [Fact]
    public void GivenAge30AndNoStatusEvents_WhenAssessed_ThenNotEligibleWhileStillNamingWhatIsMissing()
    {
        var a = Assess(Chart.ForEligibility().Born(D("1996-01-01")).Diagnosis(DiagnosisKind.BCellAll));

        Assert.Equal(EligibilityStatus.NotEligible, a.Eligibility);
        Assert.Equal(["disease-status events (cartcds#disease-status)"], a.Missing);
        Assert.Equal("not-eligible", a.Code);
    }

    // ---- Trial-derived checks: information, never exclusions.

    [Fact]
    public void GivenEveryTrialConcern_WhenAssessed_ThenStillEligibleWithEachConcernAndItsEvidence()
    {
        var b = Chart.EligibleBAll()
            .Cd19(Cd19Status.Negative, 20, "Observation/cd19")
            .Blasts(2m, 10, "Observation/blasts")
            .PriorCd19("MedicationAdministration/blina")
            .Transplant(Now.AddMonths(-2), "Procedure/sct")
            .Gvhd("Condition/gvhd")
            .Cns(CnsStatus.Cns3, 10, "Observation/cns")
            .Performance(PerformanceScale.Lansky, 40, "Observation/lansky")
            .DownSyndrome("Condition/t21");

        var a = Assess(b);

        Assert.Equal(EligibilityStatus.Eligible, a.Eligibility);
        var expected = new Dictionary<string, (TrialCheckOutcome, string)>
        {
            ["cd19-expression"] = (TrialCheckOutcome.Caution, "Observation/cd19"),
            ["marrow-blasts"] = (TrialCheckOutcome.Caution, "Observation/blasts"),
            ["prior-cd19-therapy"] = (TrialCheckOutcome.Caution, "MedicationAdministration/blina"),
            ["allogeneic-sct"] = (TrialCheckOutcome.Caution, "Procedure/sct"),
            ["active-gvhd"] = (TrialCheckOutcome.Caution, "Condition/gvhd"),
            ["cns-status"] = (TrialCheckOutcome.Caution, "Observation/cns"),
            ["performance-status"] = (TrialCheckOutcome.Caution, "Observation/lansky"),
            ["down-syndrome"] = (TrialCheckOutcome.Informational, "Condition/t21"),
        };
        foreach (var (code, (outcome, source)) in expected)
        {
            var c = Assert.Single(a.TrialChecks, t => t.Code == code);
            Assert.Equal(outcome, c.Outcome);
            // The CD19 check also names the CD19-directed therapy before it (issue 20 §4).
            Assert.Equal(code == "cd19-expression" ? [source, "MedicationAdministration/blina"] : [source], c.Evidence.Select(e => e.Source));
            Assert.Contains(a.Evidence, e => e.Source == source);
        }
        Assert.StartsWith("CD19-negative blasts", a.TrialChecks.Single(t => t.Code == "cd19-expression").Text, StringComparison.Ordinal);
        Assert.Same(a.TrialChecks.Single(t => t.Code == "cd19-expression"), a.Cd19Concern);
        Assert.Contains("Active CNS3 disease", a.TrialChecks.Single(t => t.Code == "cns-status").Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Cd19Status.Positive, 20, TrialCheckOutcome.Favourable)]
    [InlineData(Cd19Status.Dim, 20, TrialCheckOutcome.Caution)]
    [InlineData(Cd19Status.Negative, 20, TrialCheckOutcome.Caution)]
    [InlineData(Cd19Status.Positive, 88, TrialCheckOutcome.Favourable)]
    [InlineData(Cd19Status.Positive, 95, TrialCheckOutcome.Unknown)]
    public void GivenACd19Result_WhenAssessed_ThenOnlyAResultWithin3MonthsConfirmsExpression(Cd19Status status, int daysAgo, TrialCheckOutcome expected)
    {
        var a = Assess(Chart.EligibleBAll().Cd19(status, daysAgo, "Observation/cd19"));

        var c = Assert.Single(a.TrialChecks, t => t.Code == "cd19-expression");
        Assert.Equal(expected, c.Outcome);
        Assert.Equal("Observation/cd19", Assert.Single(c.Evidence).Source);
        Assert.Equal(EligibilityStatus.Eligible, a.Eligibility);
    }

    [Fact]
    public void GivenAnEarlierPositiveAndALatestNegativeCd19_WhenAssessed_ThenTheLatestCountsAndTheConflictIsSaid()
    {
        var a = Assess(Chart.EligibleBAll().Cd19(Cd19Status.Positive, 60, "Observation/cd19-old").Cd19(Cd19Status.Negative, 5, "Observation/cd19-new"));

        var c = Assert.Single(a.TrialChecks, t => t.Code == "cd19-expression");
        Assert.Equal(TrialCheckOutcome.Caution, c.Outcome);
        Assert.Contains("differ", c.Text, StringComparison.Ordinal);
        Assert.Equal(["Observation/cd19-new", "Observation/cd19-old"], c.Evidence.Select(e => e.Source));
    }

    [Theory]
    [InlineData(4.9, TrialCheckOutcome.Caution)]
    [InlineData(5.0, TrialCheckOutcome.Favourable)]
    public void GivenMarrowBlasts_WhenAssessed_Then5PercentMeetsTheTrialCriterion(double percent, TrialCheckOutcome expected)
    {
        var a = Assess(Chart.EligibleBAll().Blasts((decimal)percent, 10, "Observation/blasts"));

        var c = Assert.Single(a.TrialChecks, t => t.Code == "marrow-blasts");
        Assert.Equal(expected, c.Outcome);
        Assert.Equal("Observation/blasts", Assert.Single(c.Evidence).Source);
    }

    [Theory]
    [InlineData("2025-11-19", TrialCheckOutcome.Favourable)]
    [InlineData("2025-11-20", TrialCheckOutcome.Caution)]
    public void GivenAnAllogeneicSct_WhenSixMonthsBeforeThePlannedInfusion_ThenNotFlagged(string sctDate, TrialCheckOutcome expected)
    {
        var a = Assess(Chart.EligibleBAll().Transplant(Noon(sctDate), "Procedure/sct"), at: Noon("2026-05-01"), planned: D("2026-05-19"));

        var c = Assert.Single(a.TrialChecks, t => t.Code == "allogeneic-sct");
        Assert.Equal(expected, c.Outcome);
        Assert.Equal("Procedure/sct", Assert.Single(c.Evidence).Source);
        Assert.Contains("planned infusion (2026-05-19)", c.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(49, TrialCheckOutcome.Caution)]
    [InlineData(50, TrialCheckOutcome.Favourable)]
    public void GivenALanskyScore_WhenAssessed_Then50MeetsTheTrialCriterion(int score, TrialCheckOutcome expected)
    {
        var a = Assess(Chart.EligibleBAll().Performance(PerformanceScale.Lansky, score, "Observation/lansky"));

        var c = Assert.Single(a.TrialChecks, t => t.Code == "performance-status");
        Assert.Equal(expected, c.Outcome);
        Assert.Equal("Observation/lansky", Assert.Single(c.Evidence).Source);
    }

    [Fact]
    public void GivenNoTrialData_WhenAssessed_ThenEachCheckSaysItIsUnknownOrNoneRecorded()
    {
        var a = Assess(Chart.EligibleBAll());

        Assert.Equal(TrialCheckOutcome.Unknown, a.TrialChecks.Single(t => t.Code == "cd19-expression").Outcome);
        Assert.Equal(TrialCheckOutcome.Unknown, a.TrialChecks.Single(t => t.Code == "marrow-blasts").Outcome);
        Assert.Equal(TrialCheckOutcome.Unknown, a.TrialChecks.Single(t => t.Code == "cns-status").Outcome);
        Assert.Equal(TrialCheckOutcome.Unknown, a.TrialChecks.Single(t => t.Code == "performance-status").Outcome);
        Assert.Equal(TrialCheckOutcome.Favourable, a.TrialChecks.Single(t => t.Code == "prior-cd19-therapy").Outcome);
        Assert.DoesNotContain(a.TrialChecks, t => t.Code == "down-syndrome");
        Assert.All(a.TrialChecks, t => Assert.Empty(t.Evidence));
    }

    // ---- Dose guidance (label §2.1).

    [Theory]
    [InlineData(20.0, true, 4_000_000, 100_000_000, "0.2–5.0 × 10⁶ CAR-positive viable T cells/kg, i.e. 4 × 10⁶ to 1 × 10⁸ cells")]
    [InlineData(29.9, true, 5_980_000, 149_500_000, "i.e. 5.98 × 10⁶ to 1.495 × 10⁸ cells")]
    [InlineData(33.3333, true, 6_666_660, 166_666_500, "i.e. 6.667 × 10⁶ to 1.666 × 10⁸ cells")]
    [InlineData(50.0, true, 10_000_000, 250_000_000, "i.e. 1 × 10⁷ to 2.5 × 10⁸ cells")]
    [InlineData(50.1, false, 10_000_000, 250_000_000, "> 50 kg: 0.1–2.5 × 10⁸ CAR-positive viable T cells (not per kg)")]
    public void GivenAWeight_WhenAssessed_ThenTheLabelDoseRangeFollowsThe50KgThreshold(double kg, bool perKg, double min, double max, string text)
    {
        var a = Assess(Chart.EligibleBAll().Weight((decimal)kg, 24, "Observation/weight"));

        Assert.Equal(perKg, a.Dose.PerKilogram);
        Assert.Equal((decimal)min, a.Dose.MinCells);
        Assert.Equal((decimal)max, a.Dose.MaxCells);
        Assert.Contains(text, a.Dose.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight", Assert.Single(a.Dose.Evidence).Source);
        Assert.False(a.Dose.WeightIsStale);
    }

    [Fact]
    public void GivenNoWeight_WhenAssessed_ThenTheDoseGuidanceSaysSoAndStatesTheLabelRange()
    {
        var a = Assess(Chart.EligibleBAll());

        Assert.Null(a.Dose.MinCells);
        Assert.StartsWith("Body weight (LOINC 29463-7) missing: cell dose range not computed.", a.Dose.Text, StringComparison.Ordinal);
        Assert.Contains("≤ 50 kg 0.2–5.0 × 10⁶ CAR-positive viable T cells/kg; > 50 kg 0.1–2.5 × 10⁸", a.Dose.Text, StringComparison.Ordinal);
        Assert.Equal(EligibilityStatus.Eligible, a.Eligibility);
    }

    [Fact]
    public void GivenAWeightTwoMonthsOldAndALaterOneAfterTheEvaluationTime_WhenAssessed_ThenTheOldOneIsUsedAndFlaggedStale()
    {
        var a = Assess(Chart.EligibleBAll().Weight(30m, 60 * 24, "Observation/weight-old").Weight(45m, -5, "Observation/weight-future"));

        Assert.Equal(30m, a.Dose.WeightKg);
        Assert.True(a.Dose.WeightIsStale);
        Assert.Contains("re-weigh", a.Dose.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight-old", Assert.Single(a.Dose.Evidence).Source);
    }
}
