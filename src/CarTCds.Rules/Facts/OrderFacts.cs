namespace CarTCds.Rules.Facts;

/// <summary>A draft order from the hook's <c>context.draftOrders</c> (order-select, order-sign).</summary>
/// <param name="Kind">What is being ordered.</param>
/// <param name="Drug">The drug, for medication orders we know.</param>
/// <param name="DoseMg">The dose per administration in mg, when stated in mg (or g).</param>
/// <param name="DoseMgPerKg">The dose per administration in mg/kg, when stated that way.</param>
/// <param name="Description">What the order says, in words (for the card).</param>
/// <param name="Source">FHIR reference of the draft (<c>MedicationRequest/draft-1</c>).</param>
public sealed record DraftOrder(DraftOrderKind Kind, Drug? Drug, decimal? DoseMg, decimal? DoseMgPerKg, string Description, string Source)
{
    /// <summary>For a medication order under codes no drug list holds (<see cref="Drug"/> null) whose text or
    /// a coding's display names a listed drug: that drug, never checked by its name (a name is not a code).
    /// The order-sign service answers that it could not check the order. Null for every other order.</summary>
    public NamedWithoutKnownCode? NamedDrug { get; init; }
}

/// <summary>A medication named in words but sent under codes no drug list holds.</summary>
/// <param name="Drug">The drug the words name (its ingredient, as a whole word).</param>
/// <param name="Name">That ingredient's name (<c>dexamethasone</c>).</param>
/// <param name="Text">The medication's text as sent (<c>Dexamethasone 1.5 MG Oral Tablet</c>).</param>
/// <param name="Codes">The codes it was sent under, each <c>system|code</c>; empty when it had none.</param>
public sealed record NamedWithoutKnownCode(Drug Drug, string Name, string Text, IReadOnlyList<string> Codes);

public enum DraftOrderKind
{
    Tocilizumab,
    Corticosteroid,
    Tisagenlecleucel,
    CarTReferral,
    Other,
}
