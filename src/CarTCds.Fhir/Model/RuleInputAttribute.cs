namespace CarTCds.Fhir.Model;

/// <summary>Marks an element of the lean model that CarTCds reads to decide something (a rule, the
/// profile validator, prefetch paging, the patient check): it is read strictly, and a malformed value
/// refuses the whole call with a 400 naming its exact JSON path. Every element without this mark is
/// read leniently: a malformed value is skipped and recorded in <see cref="Resource.UnreadElements"/>
/// (<see cref="Serialization.LenientElements"/>). docs/ARCHITECTURE.md "What the rules need".</summary>
/// <remarks>Inside a lenient element everything is lenient: the nearest lenient ancestor catches the
/// fault, so a <c>coding</c> broken inside <c>MedicationRequest.category</c> skips the category.</remarks>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class RuleInputAttribute : Attribute;
