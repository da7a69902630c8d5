namespace CarTCds.Service.Telemetry;

/// <summary>Text a caller controls (hook, hookInstance, service id, a token's iss/kid/jti/jku, a
/// path …) made safe for one log line, one refusal message or one audit row: at most <see cref="MaxChars"/>
/// characters (longer values are cut and end with <c>…</c>), control characters replaced by
/// <c>?</c> so a value cannot forge a second log line. A 9 MB <c>hookInstance</c> thus costs a log
/// line a few hundred bytes, not 19 MB. Null is written <c>-</c>.</summary>
public static class CallerText
{
    /// <summary>Longest caller value written whole, in characters. A CDS Hooks hookInstance (a UUID)
    /// is 36, a hook name or an issuer URL well under 100.</summary>
    public const int MaxChars = 128;

    /// <summary>As <see cref="Cap"/> for a value that is stored rather than logged (the audit's hook,
    /// hookInstance, issuer …): the same cap, so the log line and the stored row say the same; null
    /// stays null (an empty column, not <c>-</c>).</summary>
    public static string? CapStored(string? value) => value is null ? null : Cap(value);

    /// <summary><paramref name="value"/> capped at <see cref="MaxChars"/> characters, control
    /// characters replaced; <c>-</c> for null.</summary>
    public static string Cap(string? value)
    {
        if (value is null) return "-";
        // The usual value (a UUID, a hook name) is kept as it is: no copy per log line.
        if (value.Length <= MaxChars && IsPlain(value)) return value;
        var kept = Math.Min(value.Length, MaxChars);
        return string.Create(kept + (kept < value.Length ? 1 : 0), value, static (chars, value) =>
        {
            var kept = Math.Min(value.Length, MaxChars);
            for (var i = 0; i < kept; i++)
            {
                var c = value[i];
                // A lone surrogate (a pair cut in two at the cap) is no character either.
                var lone = char.IsHighSurrogate(c) ? !(i + 1 < kept && char.IsLowSurrogate(value[i + 1]))
                    : char.IsLowSurrogate(c) && !(i > 0 && char.IsHighSurrogate(value[i - 1]));
                chars[i] = char.IsControl(c) || lone ? '?' : c;
            }
            if (kept < chars.Length) chars[kept] = '…';
        });
    }

    // No control character, no surrogate (a pair, or a lone half, takes the copying path that checks it).
    private static bool IsPlain(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c)) return false;
        }
        return true;
    }
}
