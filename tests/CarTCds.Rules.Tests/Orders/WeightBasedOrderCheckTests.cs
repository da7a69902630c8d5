using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;

namespace CarTCds.Rules.Tests.Orders;

/// <summary>Order-sign checks by weight for every drug the management rules dose (issue 20 §3):
/// above min(mg/kg × weight, adult maximum) → warn naming that maximum; above the adult maximum →
/// block; no weight → the dose could not be checked.</summary>
public sealed class WeightBasedOrderCheckTests
{
    private static OrderCheckAssessment Check(Chart b) => OrderChecks.Assess(b.Build(), Chart.EligibilityNow, RuleSet.Default, null, icansGrade: 3);

    private static Chart Ordered(Drug drug, decimal? mg, decimal? kg, decimal? mgPerKg = null)
    {
        var kind = DrugGroups.IsCorticosteroid(drug) ? DraftOrderKind.Corticosteroid : DraftOrderKind.Other;
        var b = Chart.ForEligibility().Infused(5 * 24, "Procedure/cart-infusion").Order(kind, drug, mg, mgPerKg, "MedicationRequest/draft");
        return kg is { } w ? b.Weight(w, 5, "Observation/weight") : b;
    }

    public static TheoryData<Drug, double, double, OrderCheckResult, string> Boundaries() => new()
    {
        // dexamethasone 0.5 mg/kg, at most 20 mg: 20 kg → 10 mg
        { Drug.Dexamethasone, 20.0, 10.0, OrderCheckResult.Ok, "within the maximum of 10 mg (0.5 mg/kg × 20 kg, at most 20 mg)" },
        { Drug.Dexamethasone, 20.0, 10.1, OrderCheckResult.Warn, "above the paediatric maximum of 10 mg (0.5 mg/kg × 20 kg, at most 20 mg)" },
        { Drug.Dexamethasone, 60.0, 20.0, OrderCheckResult.Ok, "within the maximum of 20 mg" },
        { Drug.Dexamethasone, 60.0, 20.1, OrderCheckResult.Block, "exceeds the 20 mg maximum per dose at any weight" },
        // methylprednisolone 30 mg/kg, at most 1,000 mg
        { Drug.Methylprednisolone, 25.0, 750.0, OrderCheckResult.Ok, "within the maximum of 750 mg" },
        { Drug.Methylprednisolone, 25.0, 750.1, OrderCheckResult.Warn, "above the paediatric maximum of 750 mg" },
        { Drug.Methylprednisolone, 50.0, 1000.0, OrderCheckResult.Ok, "within the maximum of 1000 mg" },
        { Drug.Methylprednisolone, 50.0, 1000.1, OrderCheckResult.Block, "exceeds the 1000 mg maximum per dose" },
        // anakinra 2.5 mg/kg, at most 200 mg
        { Drug.Anakinra, 20.0, 50.0, OrderCheckResult.Ok, "within the maximum of 50 mg" },
        { Drug.Anakinra, 20.0, 50.1, OrderCheckResult.Warn, "above the paediatric maximum of 50 mg" },
        { Drug.Anakinra, 100.0, 200.1, OrderCheckResult.Block, "exceeds the 200 mg maximum per dose" },
        // levetiracetam 60 mg/kg, at most 4,500 mg
        { Drug.Levetiracetam, 30.0, 1800.0, OrderCheckResult.Ok, "within the maximum of 1800 mg" },
        { Drug.Levetiracetam, 30.0, 1800.1, OrderCheckResult.Warn, "above the paediatric maximum of 1800 mg" },
        { Drug.Levetiracetam, 80.0, 4500.1, OrderCheckResult.Block, "exceeds the 4500 mg maximum per dose" },
        // siltuximab 11 mg/kg; ruxolitinib 0.5 mg/kg, at most 20 mg
        { Drug.Siltuximab, 20.0, 220.1, OrderCheckResult.Warn, "above the paediatric maximum of 220 mg" },
        { Drug.Ruxolitinib, 20.0, 10.1, OrderCheckResult.Warn, "above the paediatric maximum of 10 mg" },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void GivenAWeight_WhenADoseIsOrderedAroundItsMaximum_ThenAboveWarnsAndAboveTheAdultMaximumBlocks(Drug drug, double kg, double mg, OrderCheckResult expected, string text)
    {
        var a = Check(Ordered(drug, (decimal)mg, (decimal)kg));

        var check = Assert.Single(a.Orders);
        var reason = Assert.Single(check.Reasons, r => r.Text.Contains("maximum", StringComparison.Ordinal));
        Assert.Equal(expected, reason.Severity);
        Assert.Contains(text, reason.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/weight", Assert.Single(reason.Evidence).Source);
        Assert.Equal(expected, check.Result);
    }

    [Theory]
    [InlineData(Drug.Anakinra, 40.0, OrderCheckResult.Warn, "could not be checked")]
    [InlineData(Drug.Dexamethasone, 25.0, OrderCheckResult.Block, "exceeds the 20 mg maximum per dose at any weight")]
    public void GivenNoWeight_WhenADoseIsOrdered_ThenTheDoseCouldNotBeCheckedUnlessAboveTheAdultMaximum(Drug drug, double mg, OrderCheckResult expected, string text)
    {
        var a = Check(Ordered(drug, (decimal)mg, kg: null));

        var reason = Assert.Single(a.Orders[0].Reasons, r => r.Text.Contains("maximum", StringComparison.Ordinal));
        Assert.Equal(expected, reason.Severity);
        Assert.Contains(text, reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.5, OrderCheckResult.Ok)]
    [InlineData(2.6, OrderCheckResult.Warn)]
    public void GivenAnOrderInMgPerKg_WhenAroundTheAnakinraMaximum_ThenAboveWarns(double mgPerKg, OrderCheckResult expected)
    {
        var a = Check(Ordered(Drug.Anakinra, null, 20m, (decimal)mgPerKg));

        Assert.Equal(expected, a.Result);
        Assert.StartsWith($"Ordered {(decimal)mgPerKg:0.##} mg/kg × 20 kg", a.Orders[0].Reasons[0].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.5, "so the dose in mg could not be checked")]
    [InlineData(2.6, "is above the paediatric maximum of 2.5 mg/kg")]
    public void GivenNoWeight_WhenAnakinraIsOrderedInMgPerKgAroundItsMaximum_ThenOnlyAboveItSaysAboveTheMaximum(double mgPerKg, string text)
    {
        var a = Check(Ordered(Drug.Anakinra, null, kg: null, (decimal)mgPerKg));

        var reason = Assert.Single(a.Orders[0].Reasons);
        Assert.Equal(OrderCheckResult.Warn, reason.Severity);
        Assert.Contains(text, reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenADrugWithoutADoseRule_WhenOrdered_ThenItIsNotChecked()
    {
        var order = new DraftOrder(DraftOrderKind.Other, Drug.Acetaminophen, 500m, null, "acetaminophen", "MedicationRequest/apap");

        Assert.False(OrderChecks.IsChecked(order));
        Assert.True(OrderChecks.IsChecked(order with { Drug = Drug.Levetiracetam }));
    }

    // Above the adult maximum: blocked at any weight; the patient's own maximum is named when a weight is known.
    [Theory]
    [InlineData(60.0, "Ordered 20.1 mg dexamethasone exceeds the 20 mg maximum per dose at any weight; the maximum for this patient is 20 mg (0.5 mg/kg × 60 kg, at most 20 mg).")]
    [InlineData(null, "Ordered 20.1 mg dexamethasone exceeds the 20 mg maximum per dose at any weight.")]
    public void GivenADoseAboveTheAdultMaximum_WhenOrdered_ThenBlockedNamingThePatientsMaximumOnlyWithAWeight(double? kg, string text)
    {
        var a = Check(Ordered(Drug.Dexamethasone, 20.1m, (decimal?)kg));

        var reason = Assert.Single(a.Orders[0].Reasons, r => r.Text.Contains("maximum per dose", StringComparison.Ordinal));
        Assert.Equal(OrderCheckResult.Block, reason.Severity);
        Assert.Equal(text, reason.Text);
        Assert.Equal(kg is null ? [] : new[] { "Observation/weight" }, reason.Evidence.Select(e => e.Source));
    }
}

/// <summary>CD19-negative or CD19-dim relapse (issue 20 §4): prominent at eligibility, a warning at order-sign.</summary>
public sealed class Cd19NegativeDiseaseTests
{
    [Theory]
    [InlineData(Cd19Status.Negative, true)]
    [InlineData(Cd19Status.Dim, true)]
    [InlineData(Cd19Status.Positive, false)]
    public void GivenCd19OnBlastsAfterBlinatumomab_WhenTisagenlecleucelIsSigned_ThenNegativeOrDimWarns(Cd19Status status, bool warns)
    {
        var b = Chart.EligibleBAll().PriorCd19("MedicationAdministration/blina").Cd19(status, 20, "Observation/cd19")
            .Order(DraftOrderKind.Tisagenlecleucel, id: "MedicationRequest/kymriah");

        var a = OrderChecks.Assess(b.Build(), Chart.EligibilityNow, RuleSet.Default, null);

        Assert.Equal(warns, a.Eligibility!.Cd19Concern is not null);
        Assert.Equal(warns ? OrderCheckResult.Warn : OrderCheckResult.Ok, a.Result);
        if (!warns) return;
        var reason = a.Orders[0].Reasons[0];
        Assert.Equal(OrderCheckResult.Warn, reason.Severity);
        Assert.StartsWith($"CD19-{status.ToString().ToLowerInvariant()} blasts", reason.Text, StringComparison.Ordinal);
        Assert.Contains("after blinatumomab", reason.Text, StringComparison.Ordinal);
        Assert.Equal(["MedicationAdministration/blina", "Observation/cd19"], reason.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

}
