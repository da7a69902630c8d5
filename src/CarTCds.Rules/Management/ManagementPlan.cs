using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Management;

/// <summary>What a clinician should be told to do for the current CRS and ICANS grades and an IEC-HS
/// flag: one list of actions per card, in the order a clinician acts on them.</summary>
/// <param name="EpisodeStart">Doses "already given in this episode" are counted from here: the latest
/// CAR-T infusion at or before the evaluation time, else the evaluation time minus
/// <see cref="Orders.OrderCheckParameters.TocilizumabCountLookBackWithoutInfusion"/>.</param>
/// <param name="Crs">Actions for the CRS card; empty below grade 1 or without a grade.</param>
/// <param name="Icans">Actions for the ICANS card; empty below grade 1 or without a grade.</param>
/// <param name="IecHs">Actions for the IEC-HS card; empty without a flag.</param>
/// <param name="RecentFerritin">The latest ferritin within <see cref="ManagementParameters.FerritinRecentWithin"/>
/// of the evaluation time, when there is one: no new ferritin order is then suggested.</param>
public sealed record ManagementPlan(
    DateTimeOffset EpisodeStart,
    IReadOnlyList<ManagementAction> Crs,
    IReadOnlyList<ManagementAction> Icans,
    IReadOnlyList<ManagementAction> IecHs,
    LabResult? RecentFerritin)
{
    /// <summary>The codes of a list, joined with <c>+</c> in order (<c>tocilizumab+dexamethasone+icu</c>);
    /// <c>none</c> when empty. The value of the <c>*-management</c> findings.</summary>
    public static string Codes(IReadOnlyList<ManagementAction> actions) =>
        actions.Count == 0 ? "none" : string.Join('+', actions.Select(a => a.Code));
}

/// <summary>One thing to do.</summary>
/// <param name="Code">Stable kebab-case code (<see cref="ManagementCodes"/>).</param>
/// <param name="Text">The advice in clinical words, with its source.</param>
/// <param name="Dose">The weight-based dose to suggest as a draft order; null for advice without a
/// drug order (supportive care, ICU, measures) and for tocilizumab (computed by
/// <see cref="Orders.TocilizumabDosing"/>).</param>
/// <param name="Evidence">What triggered it (e.g. the first tocilizumab dose for "refractory") and the
/// dose's weight and doses given.</param>
/// <param name="Recommended">Whether a suggested order is pre-selected; second-line and specialist
/// options are offered but never pre-selected.</param>
/// <param name="SuggestOrder">Whether a draft order should be offered now (a dose computed and due now,
/// and not offered on another card).</param>
public sealed record ManagementAction(string Code, string Text, DrugDose? Dose, IReadOnlyList<Evidence> Evidence, bool Recommended, bool SuggestOrder);

/// <summary>The codes of management actions.</summary>
public static class ManagementCodes
{
    public const string CrsSupportiveCare = "supportive-care";
    public const string Tocilizumab = "tocilizumab";
    public const string TocilizumabIfPersistent = "tocilizumab-if-persistent";
    public const string Dexamethasone = "dexamethasone";
    public const string DexamethasoneIfRefractory = "dexamethasone-if-refractory";
    public const string MethylprednisoloneHighDose = "methylprednisolone-high-dose";
    public const string Icu = "icu";
    public const string RefractoryOptions = "refractory-options";
    public const string Anakinra = "anakinra";
    public const string Siltuximab = "siltuximab";
    public const string Ruxolitinib = "ruxolitinib";
    public const string NeuroSupportiveCare = "neuro-supportive-care";
    public const string LevetiracetamLoading = "levetiracetam-loading";
    public const string CerebralOedemaMeasures = "cerebral-oedema-measures";
    public const string IecHsSecondLine = "iec-hs-second-line";
    public const string Ferritin = "ferritin";
}
