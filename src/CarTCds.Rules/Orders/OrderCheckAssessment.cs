using CarTCds.Rules.Crs;
using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Orders;

/// <summary>The outcome of an order check, ordered from best to worst.</summary>
public enum OrderCheckResult
{
    /// <summary>Nothing against signing (<c>ok</c>); reasons may still carry advice.</summary>
    Ok,
    /// <summary>Sign only after reading the reasons (<c>warn</c>).</summary>
    Warn,
    /// <summary>Do not sign as it stands (<c>block</c>, a critical card).</summary>
    Block,
}

/// <summary>One reason behind an order's result.</summary>
/// <param name="Severity">The result this reason alone gives.</param>
/// <param name="Text">A clinical sentence.</param>
/// <param name="Evidence">The records it rests on (the draft order itself is
/// <see cref="OrderCheck.Order"/>; it is not repeated here).</param>
public sealed record OrderCheckReason(OrderCheckResult Severity, string Text, IReadOnlyList<Evidence> Evidence);

/// <summary>The check of one draft order.</summary>
/// <param name="Order">The draft order checked.</param>
/// <param name="Result">The worst severity among <see cref="Reasons"/> (<c>ok</c> when none).</param>
/// <param name="Reasons">Why, worst first.</param>
/// <param name="Advice">Treatment advice to show with the result (e.g. the ASCO corticosteroid
/// regimen for the current CRS grade); empty when none applies.</param>
public sealed record OrderCheck(DraftOrder Order, OrderCheckResult Result, IReadOnlyList<OrderCheckReason> Reasons, IReadOnlyList<string> Advice)
{
    /// <summary>The machine-readable code (<c>ok</c> | <c>warn</c> | <c>block</c>).</summary>
    public string Code => OrderCheckCodes.Code(Result);
}

/// <summary>The check of every draft order of an order-sign call.</summary>
/// <param name="Result">The worst of the orders' results; <c>ok</c> when there are no orders.</param>
/// <param name="Orders">One check per draft order, in the order given.</param>
/// <param name="Tocilizumab">The computed tocilizumab dose, when a tocilizumab order was checked.</param>
/// <param name="Crs">The CRS grade used, when a corticosteroid order was checked within the caution window.</param>
/// <param name="Eligibility">The eligibility used, when a tisagenlecleucel order was checked.</param>
/// <param name="RuleSet">The rule set that produced it (<c>id@version</c>).</param>
public sealed record OrderCheckAssessment(
    OrderCheckResult Result,
    IReadOnlyList<OrderCheck> Orders,
    TocilizumabDose? Tocilizumab,
    CrsAssessment? Crs,
    EligibilityAssessment? Eligibility,
    string RuleSet)
{
    /// <summary>The machine-readable code (<c>ok</c> | <c>warn</c> | <c>block</c>).</summary>
    public string Code => OrderCheckCodes.Code(Result);
}

/// <summary>Codes of the <c>order-check</c> finding (docs/ARCHITECTURE.md).</summary>
public static class OrderCheckCodes
{
    public static string Code(OrderCheckResult result) => result switch
    {
        OrderCheckResult.Ok => "ok",
        OrderCheckResult.Warn => "warn",
        OrderCheckResult.Block => "block",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };
}
