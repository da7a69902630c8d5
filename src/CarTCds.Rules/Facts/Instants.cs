namespace CarTCds.Rules.Facts;

/// <summary>Arithmetic on the time of a record that stays inside the calendar.</summary>
/// <remarks>Records may carry any valid FHIR time, years 0001 to 9999 ("9999-12-31" is a common
/// open-ended placeholder), and <see cref="DateTimeOffset"/> throws when a sum leaves that range. A
/// window edge computed from such a record saturates at <see cref="DateTimeOffset.MinValue"/> or
/// <see cref="DateTimeOffset.MaxValue"/> instead: "8 h after 9999-12-31T23:00Z" is then "never",
/// which compares correctly with every real time.</remarks>
public static class Instants
{
    /// <summary><paramref name="t"/> + <paramref name="span"/>, held at the ends of the calendar.</summary>
    public static DateTimeOffset PlusSaturating(this DateTimeOffset t, TimeSpan span)
    {
        var utc = t.UtcTicks;
        if (span.Ticks > 0 && utc > DateTimeOffset.MaxValue.UtcTicks - span.Ticks) return DateTimeOffset.MaxValue;
        if (span.Ticks < 0 && utc < DateTimeOffset.MinValue.UtcTicks - span.Ticks) return DateTimeOffset.MinValue;
        return new DateTimeOffset(utc + span.Ticks, TimeSpan.Zero);
    }

    /// <summary><paramref name="t"/> − <paramref name="span"/>, held at the ends of the calendar.</summary>
    public static DateTimeOffset MinusSaturating(this DateTimeOffset t, TimeSpan span) =>
        span == TimeSpan.MinValue ? DateTimeOffset.MaxValue : t.PlusSaturating(-span);
}
