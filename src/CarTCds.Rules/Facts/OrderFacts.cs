namespace CarTCds.Rules.Facts;

/// <summary>A draft order from the hook's <c>context.draftOrders</c> (order-select, order-sign).</summary>
/// <param name="Kind">What is being ordered.</param>
/// <param name="Drug">The drug, for medication orders we know.</param>
/// <param name="DoseMg">The dose per administration in mg, when stated in mg (or g).</param>
/// <param name="DoseMgPerKg">The dose per administration in mg/kg, when stated that way.</param>
/// <param name="Description">What the order says, in words (for the card).</param>
/// <param name="Source">FHIR reference of the draft (<c>MedicationRequest/draft-1</c>).</param>
public sealed record DraftOrder(DraftOrderKind Kind, Drug? Drug, decimal? DoseMg, decimal? DoseMgPerKg, string Description, string Source);

public enum DraftOrderKind
{
    Tocilizumab,
    Corticosteroid,
    Tisagenlecleucel,
    CarTReferral,
    Other,
}
