using System.Buffers;
using System.Text;
using System.Text.Json;
using CarTCds.Hooks.Contract;

namespace CarTCds.Service.Storage;

/// <summary>The machine-readable findings of cards (<c>org.cartcds.findings</c>) as the JSON the
/// database keeps: codes and values, never evidence references or reason texts (those carry
/// record ids and dates, which identify a patient's record).</summary>
internal static class FindingsJson
{
    /// <summary>The findings of one card, for the card registry:
    /// <c>[{"code":"crs-grade","value":3,"ruleSet":"astct-2019@1.0.0","missing":["weight"]}]</c>.</summary>
    public static string ForCard(Card card) => Write(w =>
    {
        foreach (var f in Findings(card))
        {
            w.WriteStartObject();
            w.WriteString("code", f.Code);
            WriteValue(w, f.Value);
            if (!string.IsNullOrEmpty(f.RuleSet)) w.WriteString("ruleSet", f.RuleSet);
            if (f.Missing is { Count: > 0 } missing)
            {
                w.WriteStartArray("missing");
                foreach (var m in missing) w.WriteStringValue(m);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
    });

    /// <summary>The findings of a whole hook call, for the audit trail:
    /// <c>[{"card":"&lt;uuid&gt;","code":"crs-grade","value":3}]</c>.</summary>
    public static string ForCall(IEnumerable<Card> cards) => Write(w =>
    {
        foreach (var card in cards)
        {
            foreach (var f in Findings(card))
            {
                w.WriteStartObject();
                if (card.Uuid is not null) w.WriteString("card", card.Uuid);
                w.WriteString("code", f.Code);
                WriteValue(w, f.Value);
                w.WriteEndObject();
            }
        }
    });

    /// <summary>Codes and values only, for log lines: <c>crs-grade=3 iec-hs=negative</c>.</summary>
    public static string Brief(IEnumerable<Card> cards) =>
        string.Join(' ', cards.SelectMany(Findings).Select(f => $"{f.Code}={f.Value}"));

    /// <summary>The distinct finding codes of a card, sorted, space-separated.</summary>
    public static string Codes(Card card) => string.Join(' ', Findings(card).Select(f => f.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    public static IEnumerable<FindingRecord> Findings(Card card) => card.Extension?.Findings ?? [];

    private static void WriteValue(Utf8JsonWriter w, FindingValue value)
    {
        if (value.Number is { } n) w.WriteNumber("value", n);
        else w.WriteString("value", value.Text ?? "");
    }

    private static string Write(Action<Utf8JsonWriter> items)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            items(w);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
