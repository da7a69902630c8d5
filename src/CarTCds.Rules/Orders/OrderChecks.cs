using CarTCds.Rules.Crs;
using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Management;

namespace CarTCds.Rules.Orders;

/// <summary>Checks the draft orders of an order-sign call: tocilizumab dose and schedule,
/// corticosteroids after CAR-T, the weight-based maximum of every drug the management rules dose
/// (dexamethasone, methylprednisolone, anakinra, siltuximab, ruxolitinib, levetiracetam), and
/// tisagenlecleucel against the label's eligibility.</summary>
/// <remarks>
/// Tocilizumab: Actemra US label, CRS dosing [V] and ASCO 2021 (Santomasso et al.,
/// <see href="https://doi.org/10.1200/JCO.21.01992"/>) — see <see cref="TocilizumabDosing"/>.
/// Corticosteroids: the Kymriah label advises against prophylactic systemic corticosteroids, which
/// may interfere with its activity; ASCO 2021 regimens for CRS grade 3–4 and ICANS ≥ 2
/// (docs/CLINICAL-RULES.md §4). Tisagenlecleucel: <see cref="EligibilityCheck"/>.
/// </remarks>
public static class OrderChecks
{
    /// <summary>Checks every draft order in <see cref="ClinicalFacts.DraftOrders"/> at <paramref name="at"/>.</summary>
    /// <param name="facts">The patient's facts with the draft orders; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set.</param>
    /// <param name="eligibility">The eligibility already assessed for this call, if any; when null
    /// and a tisagenlecleucel order is present, it is assessed here (no planned infusion date).</param>
    /// <param name="icansGrade">The current ASTCT ICANS grade (0–4) when known; null when not graded.
    /// ICANS ≥ <see cref="OrderCheckParameters.SteroidWarrantingIcansGrade"/> warrants corticosteroids.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="icansGrade"/> outside 0–4.</exception>
    public static OrderCheckAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, EligibilityAssessment? eligibility, int? icansGrade = null)
    {
        if (icansGrade is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(icansGrade), icansGrade, "ICANS grade must be 0–4.");

        TocilizumabDose? dose = null;
        CrsAssessment? crs = null;
        EligibilityAssessment? usedEligibility = null;
        var tocilizumabOrders = facts.DraftOrders.Count(o => KindOf(o) == Checked.Tocilizumab);

        var checks = new List<OrderCheck>();
        foreach (var order in facts.DraftOrders)
        {
            switch (KindOf(order))
            {
                case Checked.Tocilizumab:
                    dose ??= TocilizumabDosing.Compute(facts, at, rules);
                    checks.Add(CheckTocilizumab(order, dose, tocilizumabOrders, at, rules.Orders));
                    break;
                case Checked.Corticosteroid:
                    var steroid = CheckCorticosteroid(order, facts, at, rules, icansGrade, ref crs);
                    checks.Add(Make(order, [.. steroid.Reasons, .. CheckWeightBasedDose(order, facts, at, rules)], [.. steroid.Advice]));
                    break;
                case Checked.WeightBasedDose:
                    checks.Add(Make(order, CheckWeightBasedDose(order, facts, at, rules), []));
                    break;
                case Checked.Tisagenlecleucel:
                    usedEligibility ??= eligibility ?? EligibilityCheck.Assess(facts, at, rules);
                    checks.Add(CheckTisagenlecleucel(order, usedEligibility));
                    break;
                default:
                    checks.Add(Make(order, [new OrderCheckReason(OrderCheckResult.Ok, "No CAR-T order check applies to this order.", [])], []));
                    break;
            }
        }

        var result = checks.Count == 0 ? OrderCheckResult.Ok : checks.Max(c => c.Result);
        return new OrderCheckAssessment(result, checks, dose, crs, usedEligibility, rules.Label);
    }

    private enum Checked { Tocilizumab, Corticosteroid, WeightBasedDose, Tisagenlecleucel, Other }

    private static Checked KindOf(DraftOrder o) =>
        o.Kind == DraftOrderKind.Tisagenlecleucel ? Checked.Tisagenlecleucel
        : o.Kind == DraftOrderKind.Tocilizumab || o.Drug == Drug.Tocilizumab ? Checked.Tocilizumab
        : o.Kind == DraftOrderKind.Corticosteroid || (o.Drug is { } d && DrugGroups.IsCorticosteroid(d)) ? Checked.Corticosteroid
        : o.Drug is { } dd && ManagementParameters.IsDosedByWeight(dd) ? Checked.WeightBasedDose
        : Checked.Other;

    /// <summary>Whether the order-sign service checks this draft order (and shows a card for it):
    /// tocilizumab, corticosteroids, tisagenlecleucel, and every drug with a
    /// <see cref="Management.DoseRule"/>.</summary>
    public static bool IsChecked(DraftOrder order) => KindOf(order) != Checked.Other;

    // The weight-based maximum per dose (RuleSet.Management): above the adult maximum → block at any
    // weight; above min(mg/kg × weight, adult maximum) → warn, naming that maximum; no weight → the
    // dose could not be checked. Sources: the DoseRule defaults in ManagementParameters.
    private static List<OrderCheckReason> CheckWeightBasedDose(DraftOrder order, ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        if (order.Drug is not { } drug || rules.Management.RuleFor(drug) is not { } rule) return [];
        var name = DrugGroups.Name(drug);
        var choice = BodyWeights.Latest(facts, at, rules.Orders.WeightStaleAfter);
        var weightEvidence = choice.Evidence(at).ToList();
        var perKgLimit = $"{ClinicalText.Num(rule.OrderMaxMgPerKg)} mg/kg, at most {ClinicalText.Num(rule.OrderMaxDoseMg)} mg per dose";

        decimal? mg = order.DoseMg;
        var orderedText = mg is { } direct ? $"{ClinicalText.Num(direct)} mg" : "";
        if (mg is null && order.DoseMgPerKg is { } perKg)
        {
            if (choice.Weight is { } w0)
            {
                mg = perKg * w0.Kilograms;
                orderedText = $"{ClinicalText.Num(perKg)} mg/kg × {ClinicalText.Num(w0.Kilograms)} kg = {ClinicalText.Num(mg.Value)} mg";
            }
            else
            {
                return [perKg > rule.OrderMaxMgPerKg
                    ? new OrderCheckReason(OrderCheckResult.Warn, $"Ordered {ClinicalText.Num(perKg)} mg/kg {name} is above the paediatric maximum of {perKgLimit}.", [])
                    : new OrderCheckReason(OrderCheckResult.Warn, $"Ordered {ClinicalText.Num(perKg)} mg/kg {name}: {choice.Problem}, so the dose in mg could not be checked against the maximum ({perKgLimit}).", weightEvidence)];
            }
        }
        if (mg is not { } ordered)
        {
            return [new OrderCheckReason(OrderCheckResult.Warn, $"The {name} order states no dose in mg or mg/kg: the dose could not be checked against the maximum ({perKgLimit}).", [])];
        }

        var max = choice.Weight is { } wk ? WeightBasedDosing.OrderMaximumMg(wk.Kilograms, rule, rules.Management) : (decimal?)null;
        var basis = choice.Weight is { } wb
            ? $"{ClinicalText.Num(max!.Value)} mg ({ClinicalText.Num(rule.OrderMaxMgPerKg)} mg/kg × {ClinicalText.Num(wb.Kilograms)} kg, at most {ClinicalText.Num(rule.OrderMaxDoseMg)} mg)"
            : null;
        if (ordered > rule.OrderMaxDoseMg)
        {
            return [new OrderCheckReason(OrderCheckResult.Block,
                $"Ordered {orderedText} {name} exceeds the {ClinicalText.Num(rule.OrderMaxDoseMg)} mg maximum per dose at any weight{(basis is null ? "" : $"; the maximum for this patient is {basis}")}.", weightEvidence)];
        }
        if (choice.Weight is not { } w)
        {
            return [new OrderCheckReason(OrderCheckResult.Warn,
                $"Ordered {orderedText} {name}: {choice.Problem}, so the dose could not be checked against the paediatric maximum ({perKgLimit}).", weightEvidence)];
        }
        var stale = choice.IsStale ? $" The weight is {ClinicalText.AgeOf(w.Time, at)} old: re-weigh." : "";
        return [ordered > max
            ? new OrderCheckReason(OrderCheckResult.Warn, $"Ordered {orderedText} {name} is above the paediatric maximum of {basis}.{stale}", weightEvidence)
            : new OrderCheckReason(choice.IsStale ? OrderCheckResult.Warn : OrderCheckResult.Ok, $"Ordered {orderedText} {name} is within the maximum of {basis}.{stale}", weightEvidence)];
    }

    private static OrderCheck Make(DraftOrder order, List<OrderCheckReason> reasons, List<string> advice)
    {
        var ordered = reasons.OrderByDescending(r => r.Severity).ToList();
        var result = ordered.Count == 0 ? OrderCheckResult.Ok : ordered[0].Severity;
        return new OrderCheck(order, result, ordered, advice);
    }

    // Label: < 30 kg 12 mg/kg, ≥ 30 kg 8 mg/kg, ≤ 800 mg per dose, ≥ 8 h apart, ≤ 4 doses; ASCO: ≤ 3 in 24 h.
    private static OrderCheck CheckTocilizumab(DraftOrder order, TocilizumabDose dose, int tocilizumabOrders, DateTimeOffset at, OrderCheckParameters p)
    {
        var reasons = dose.Limits.Select(l => new OrderCheckReason(OrderCheckResult.Block, l.Text, l.Evidence)).ToList();
        var weightEvidence = dose.Evidence.Where(e => !dose.DosesGiven.Any(g => g.Source == e.Source)).ToList();

        if (tocilizumabOrders > 1)
        {
            reasons.Add(new OrderCheckReason(OrderCheckResult.Warn, $"{tocilizumabOrders} tocilizumab orders are being signed together: give one dose at a time.", []));
        }

        decimal? orderedMg = order.DoseMg;
        var orderedText = orderedMg is { } direct ? $"{ClinicalText.Num(direct)} mg" : "";
        if (orderedMg is null && order.DoseMgPerKg is { } perKg)
        {
            if (dose.WeightKg is { } w)
            {
                orderedMg = TocilizumabDosing.Round(perKg * w, p);
                orderedText = $"{ClinicalText.Num(perKg)} mg/kg × {ClinicalText.Num(w)} kg = {ClinicalText.Num(orderedMg.Value)} mg";
            }
            else
            {
                reasons.Add(new OrderCheckReason(OrderCheckResult.Warn, $"Ordered {ClinicalText.Num(perKg)} mg/kg cannot be checked: {dose.Summary}", weightEvidence));
            }
        }

        if (orderedMg is { } mg)
        {
            if (mg > p.TocilizumabMaxDoseMg)
            {
                reasons.Add(new OrderCheckReason(OrderCheckResult.Block,
                    $"Ordered {orderedText} exceeds the {ClinicalText.Num(p.TocilizumabMaxDoseMg)} mg maximum per dose (label: doses above {ClinicalText.Num(p.TocilizumabMaxDoseMg)} mg per infusion are not recommended in CRS).",
                    weightEvidence));
            }
            if (dose.DoseMg is { } computed)
            {
                var tolerance = p.TocilizumabDoseTolerancePercent / 100m;
                var basis = $"computed {ClinicalText.Num(computed)} mg ({ClinicalText.Num(dose.MgPerKg!.Value)} mg/kg × {ClinicalText.Num(dose.WeightKg!.Value)} kg{(dose.IsCapped ? $", capped at {ClinicalText.Num(p.TocilizumabMaxDoseMg)} mg" : "")})";
                var deviation = ClinicalText.Num(Math.Round(Math.Abs(mg - computed) / computed * 100m, 1, MidpointRounding.AwayFromZero));
                if (mg > computed * (1m + tolerance))
                {
                    // Above the label's mg/kg dose is an overdose even below the 800 mg cap: block, with the right dose.
                    reasons.Add(new OrderCheckReason(OrderCheckResult.Block,
                        $"Ordered {orderedText} is {deviation} % above the {basis}; tolerance {ClinicalText.Num(p.TocilizumabDoseTolerancePercent)} %: give {ClinicalText.Num(computed)} mg.", weightEvidence));
                }
                else if (mg < computed * (1m - tolerance))
                {
                    reasons.Add(new OrderCheckReason(OrderCheckResult.Warn,
                        $"Ordered {orderedText} is {deviation} % below the {basis}; tolerance {ClinicalText.Num(p.TocilizumabDoseTolerancePercent)} %.", weightEvidence));
                }
                else
                {
                    reasons.Add(new OrderCheckReason(OrderCheckResult.Ok,
                        $"Ordered {orderedText} matches the {basis} within {ClinicalText.Num(p.TocilizumabDoseTolerancePercent)} %.", weightEvidence));
                }
            }
            else
            {
                reasons.Add(new OrderCheckReason(OrderCheckResult.Warn,
                    $"Ordered {orderedText} cannot be checked against the weight-based dose: {dose.Summary}", weightEvidence));
            }
        }
        else if (order.DoseMgPerKg is null)
        {
            reasons.Add(new OrderCheckReason(OrderCheckResult.Warn, $"The order states no dose in mg or mg/kg: check it against the label dose. {dose.Summary}", weightEvidence));
        }

        if (dose.WeightIsStale && dose.WeightTime is { } wt)
        {
            reasons.Add(new OrderCheckReason(OrderCheckResult.Warn,
                $"The dose is checked against a body weight {ClinicalText.AgeOf(wt, at)} old ({ClinicalText.Date(wt)}; stale after {ClinicalText.Span(p.WeightStaleAfter)}): re-weigh.", weightEvidence));
        }

        return Make(order, reasons, [dose.Summary]);
    }

    // Kymriah label: avoid prophylactic systemic corticosteroids (may interfere with its activity).
    // ASCO 2021: steroids for CRS grade 3–4 (and grade 2 persisting after tocilizumab) and ICANS ≥ 2.
    private static OrderCheck CheckCorticosteroid(DraftOrder order, ClinicalFacts facts, DateTimeOffset at, RuleSet rules, int? icansGrade, ref CrsAssessment? crs)
    {
        var p = rules.Orders;
        var infusion = facts.LatestInfusion(at);
        if (infusion is null)
        {
            return Make(order, [new OrderCheckReason(OrderCheckResult.Ok, "No CAR-T infusion on record: no CAR-T efficacy concern checked.", [])], []);
        }
        var infusionEvidence = new Evidence(infusion.Source, infusion.Time, $"CAR-T infusion on {ClinicalText.Date(infusion.Time)}");
        var since = at - infusion.Time;
        if (since > p.SteroidCautionWindow)
        {
            return Make(order, [new OrderCheckReason(OrderCheckResult.Ok,
                $"CAR-T infusion {ClinicalText.Span(since)} ago, beyond the {ClinicalText.Span(p.SteroidCautionWindow)} caution window.", [infusionEvidence])], []);
        }

        crs ??= CrsGrading.Assess(facts, at, rules);
        var crsWarrants = crs.Grade >= p.SteroidWarrantingCrsGrade;
        var icansWarrants = icansGrade >= p.SteroidWarrantingIcansGrade;
        var advice = SteroidAdvice(crs.Grade, icansGrade, p);
        var crsText = crs.Grade is { } g
            ? $"CRS grade {g}{(crs.Drivers.Count > 0 ? $" ({ClinicalText.JoinOnce(", ", crs.Drivers)})" : "")}"
            : $"CRS not gradable (missing: {string.Join("; ", crs.Missing)})";

        if (crsWarrants || icansWarrants)
        {
            var why = new List<string>();
            if (crsWarrants) why.Add(crsText);
            if (icansWarrants) why.Add($"ICANS grade {icansGrade}");
            return Make(order, [new OrderCheckReason(OrderCheckResult.Ok,
                $"{string.Join(" and ", why)} {ClinicalText.Span(since)} after the CAR-T infusion: corticosteroids are warranted (ASCO 2021).",
                [infusionEvidence, .. crsWarrants ? crs.Evidence : []])], advice);
        }

        var icansText = icansGrade is { } ig ? $"ICANS grade {ig}" : "ICANS grade not provided";
        return Make(order, [new OrderCheckReason(OrderCheckResult.Warn,
            $"Corticosteroid {ClinicalText.Span(since)} after the CAR-T infusion without CRS ≥ {p.SteroidWarrantingCrsGrade} or ICANS ≥ {p.SteroidWarrantingIcansGrade} ({crsText}; {icansText}): may blunt CAR-T efficacy. The label advises against prophylactic corticosteroids; confirm the indication.",
            [infusionEvidence, .. crs.Evidence])], advice);
    }

    /// <summary>ASCO 2021 corticosteroid regimens (docs/CLINICAL-RULES.md §4 [V]) for the current grades.</summary>
    private static List<string> SteroidAdvice(int? crsGrade, int? icansGrade, OrderCheckParameters p)
    {
        var advice = new List<string>();
        switch (crsGrade)
        {
            case 4: advice.Add("CRS grade 4 (ASCO): methylprednisolone 500 mg IV q12h × 3 days, then taper."); break;
            case 3: advice.Add("CRS grade 3 (ASCO): dexamethasone 10 mg IV q6h."); break;
            case 2 when p.SteroidWarrantingCrsGrade <= 2:
                advice.Add("CRS grade 2: tocilizumab first; ASCO regimens if CRS persists or worsens — grade 3 dexamethasone 10 mg IV q6h; grade 4 methylprednisolone 500 mg IV q12h × 3 days, then taper.");
                break;
        }
        switch (icansGrade)
        {
            case 4: advice.Add("ICANS grade 4 (ASCO): methylprednisolone 1,000 mg/day IV."); break;
            case 3: advice.Add("ICANS grade 3 (ASCO): dexamethasone 10 mg IV q6–12h or methylprednisolone 1 mg/kg IV q12h."); break;
            case 2: advice.Add("ICANS grade 2 without CRS (ASCO): consider dexamethasone 10 mg × 2."); break;
        }
        if (advice.Count > 0) advice.Add("ASCO doses are adult doses; for children use the institution's weight-based corticosteroid doses.");
        return advice;
    }

    // Kymriah US label §1: B-cell precursor ALL, up to 25 years, refractory or second or later relapse.
    private static OrderCheck CheckTisagenlecleucel(DraftOrder order, EligibilityAssessment e)
    {
        var reasons = new List<OrderCheckReason>();
        switch (e.Eligibility)
        {
            case EligibilityStatus.NotEligible:
                reasons.AddRange(e.Reasons.Where(r => r.Outcome == CriterionOutcome.NotMet)
                    .Select(r => new OrderCheckReason(OrderCheckResult.Block, $"Not eligible for tisagenlecleucel by the label: {r.Text}", r.Evidence)));
                break;
            case EligibilityStatus.Undetermined:
                reasons.Add(new OrderCheckReason(OrderCheckResult.Warn,
                    $"Tisagenlecleucel eligibility cannot be decided: needs {string.Join("; ", e.Missing)}.",
                    e.Reasons.Where(r => r.Outcome == CriterionOutcome.Undetermined).SelectMany(r => r.Evidence).ToList()));
                break;
            default:
                reasons.Add(new OrderCheckReason(OrderCheckResult.Ok,
                    $"Eligible for tisagenlecleucel by the label: {string.Join(" ", e.Reasons.Select(r => r.Text))}",
                    e.Reasons.SelectMany(r => r.Evidence).ToList()));
                break;
        }
        // CD19-negative or CD19-dim blasts → a warning, not information.
        if (e.Cd19Concern is { } cd19) reasons.Add(new OrderCheckReason(OrderCheckResult.Warn, cd19.Text, cd19.Evidence));
        reasons.AddRange(e.TrialChecks.Where(c => c.Outcome == TrialCheckOutcome.Caution && c != e.Cd19Concern)
            .Select(c => new OrderCheckReason(OrderCheckResult.Ok, $"Information (trial criterion, not an exclusion): {c.Text}", c.Evidence)));
        return Make(order, reasons, [e.Dose.Text]);
    }
}
