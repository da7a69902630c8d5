using CarTCds.Rules;

namespace CarTCds.Service.Hosting;

/// <summary>Binds the rule set from configuration section <c>CarTCds:RuleSet</c> over the
/// defaults of docs/CLINICAL-RULES.md, e.g. <c>CarTCds:RuleSet:Crs:FeverCelsius=38.3</c> with
/// <c>CarTCds:RuleSet:Version=1.0.0-site1</c>. Nonsense values stop the service at start-up
/// with every problem named.</summary>
public static class RuleSetConfiguration
{
    public const string Section = "CarTCds:RuleSet";

    /// <exception cref="InvalidOperationException">The configured rule set is invalid; the message lists why.</exception>
    public static RuleSet Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        RuleSet rules;
        try
        {
            rules = section.Exists() ? section.Get<RuleSet>(o => o.ErrorOnUnknownConfiguration = true) ?? RuleSet.Default : RuleSet.Default;
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{Section} cannot be read: {ex.Message}", ex);
        }

        var errors = rules.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{Section} is invalid; the service will not start: " + string.Join(" ", errors));
        }
        if (section.Exists() && rules.Version == RuleSet.Default.Version && section.GetChildren().Any(c => c.Key is not ("Id" or "Version")))
        {
            throw new InvalidOperationException($"{Section} overrides parameters but keeps version {rules.Version}; give the local rule set its own Version (e.g. {rules.Version}-local) so every card names what produced it.");
        }
        return rules;
    }
}
