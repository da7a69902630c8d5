namespace CarTCds.Fhir.Validation;

/// <summary>The UCUM units the profiles use, as (dimension, factor, offset) to a base unit, so a
/// range stated in one unit (25–45 Cel) can be checked against a value in another ([degF]).
/// Only linear and affine conversions that need no substance (mg/dL ↔ µmol/L needs a molar mass
/// and is deliberately absent). <see href="https://ucum.org/ucum"/></summary>
internal static class UcumUnits
{
    private readonly record struct Unit(string Dimension, double Factor, double Offset);

    private static readonly Dictionary<string, Unit> Units = new(StringComparer.Ordinal)
    {
        ["Cel"] = new("temperature", 1, 273.15),
        ["[degF]"] = new("temperature", 5.0 / 9.0, 459.67 * 5.0 / 9.0),
        ["K"] = new("temperature", 1, 0),
        ["kg"] = new("mass", 1000, 0),
        ["g"] = new("mass", 1, 0),
        ["mg"] = new("mass", 0.001, 0),
        ["[lb_av]"] = new("mass", 453.59237, 0),
        ["L/min"] = new("flow", 1, 0),
        ["mL/min"] = new("flow", 0.001, 0),
        ["mm[Hg]"] = new("pressure", 1, 0),
        ["%"] = new("fraction", 1, 0),
        ["mg/dL"] = new("mass-concentration", 10, 0),
        ["mg/L"] = new("mass-concentration", 1, 0),
        ["g/L"] = new("mass-concentration", 1000, 0),
        ["ng/mL"] = new("mass-concentration", 0.001, 0),
        ["ug/L"] = new("mass-concentration", 0.001, 0),
        ["pg/mL"] = new("mass-concentration", 0.000001, 0),
        ["ng/L"] = new("mass-concentration", 0.000001, 0),
    };

    /// <summary><paramref name="value"/> in <paramref name="from"/> expressed in <paramref name="to"/>;
    /// false when either unit is unknown or they measure different things.</summary>
    public static bool TryConvert(double value, string from, string to, out double result)
    {
        result = value;
        if (string.Equals(from, to, StringComparison.Ordinal)) return true;
        if (!Units.TryGetValue(from, out var f) || !Units.TryGetValue(to, out var t) || f.Dimension != t.Dimension) return false;
        var baseValue = value * f.Factor + f.Offset;
        result = (baseValue - t.Offset) / t.Factor;
        return true;
    }
}
