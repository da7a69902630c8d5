using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;

namespace CarTCds.Hooks.Cards;

/// <summary>Which card names a record that was left out (bad unit, implausible value, no time …):
/// the card whose grade it would have changed — an ICE score on the ICANS card, a laboratory result
/// on the IEC-HS card, a temperature, pressure, oxygen or drug record on the CRS card. When that card
/// is not answered (no ICANS card without a usable neurological record; no IEC-HS card without a
/// flag), and for records no single grade reads (weight, infusion, disease history, records not
/// shown to be this patient's), the CRS card names it, so no record is left out unseen.</summary>
public static class LeftOutRecords
{
    /// <summary>The topic of the card whose grade the record would have changed.</summary>
    public static string GradeTopicOf(ExcludedRecord e) => e.Kind switch
    {
        RecordKind.Neurological => IcansCardComposer.Topic,
        RecordKind.Laboratory => IecHsCardComposer.Topic,
        _ => CrsCardComposer.Topic,
    };

    /// <summary>The records the card of <paramref name="topic"/> names, given which grade cards are
    /// answered (<paramref name="answered"/>, by topic): its own, and for the CRS card also those whose card is absent.</summary>
    public static IReadOnlyList<ExcludedRecord> For(string topic, IEnumerable<ExcludedRecord> excluded, IReadOnlySet<string> answered) =>
        excluded.Where(e =>
        {
            var own = GradeTopicOf(e);
            return own == topic || (topic == CrsCardComposer.Topic && !answered.Contains(own));
        }).ToList();

    /// <summary>Appends the "Left out" section (one line per record: reference and reason).</summary>
    public static void AddTo(Card card, IReadOnlyList<ExcludedRecord> records)
    {
        if (records.Count == 0) return;
        var md = new StringBuilder();
        Section(md, records);
        card.Detail += md.ToString();
    }

    /// <summary>The "Left out" section of a card's detail.</summary>
    public static void Section(StringBuilder md, IEnumerable<ExcludedRecord> records) =>
        CardText.Section(md, "Left out", records.Select(e => $"{e.Source}: {e.Reason}"));
}
