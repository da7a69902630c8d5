namespace CarTCds.Hooks.Cards;

/// <summary>What becomes of a normal finding ("No ICANS by ASTCT criteria") on cart-toxicity
/// (configuration <c>CarTCds:Cards:NormalFindings</c>; docs/CDS-HOOKS.md "Cards we answer").
/// Whatever the setting, the machine-readable findings (the card extension, hence the audit) stay
/// complete: a normal finding's record moves onto the card that carries its status.</summary>
public enum NormalFindings
{
    /// <summary>Default. A normal grade takes no card of its own: it becomes one short status line
    /// ("**Also:** No ICANS by ASTCT criteria …") on the most urgent grade card. When every grade is
    /// normal, one info card says so (the CRS card, its summary naming every normal grade).</summary>
    Fold,
    /// <summary>Every grade on its own card (CRS, ICANS), normal or not: for EHRs that file cards by topic.</summary>
    Separate,
    /// <summary>As <see cref="Fold"/> without the status line: a normal grade is not mentioned in
    /// the text (its finding still travels on the card). When every grade is normal the one info
    /// card is still answered, so a CAR-T chart is never met with silence.</summary>
    Omit,
}

/// <summary>Card composition settings (configuration section <c>CarTCds:Cards</c>).</summary>
public sealed class CardOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "CarTCds:Cards";

    /// <summary>See <see cref="Cards.NormalFindings"/>. Default <see cref="NormalFindings.Fold"/>.</summary>
    public NormalFindings NormalFindings { get; set; } = NormalFindings.Fold;
}
