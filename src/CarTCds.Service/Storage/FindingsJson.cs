using System.Buffers;
using System.Text;
using System.Globalization;
using System.Text.Json;
using CarTCds.Hooks.Contract;

namespace CarTCds.Service.Storage;

/// <summary>The machine-readable findings of cards (<c>org.cartcds.findings</c>) as the JSON the
/// database keeps: codes and values, never evidence references or reason texts (those carry
/// record ids and dates, which identify a patient's record).</summary>
internal static class FindingsJson
{
    /// <summary>Writes the findings of one card, for the card registry:
    /// <c>[{"code":"crs-grade","value":3,"ruleSet":"astct-2019@1.0.0","missing":["weight"]}]</c>.</summary>
    public static void WriteForCard(Utf8JsonWriter w, Card card)
    {
        w.WriteStartArray();
        var findings = Findings(card);
        for (var i = 0; i < findings.Count; i++)
        {
            var f = findings[i];
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
        w.WriteEndArray();
    }

    /// <summary>Writes the findings of a whole hook call, for the audit trail:
    /// <c>[{"card":"&lt;uuid&gt;","code":"crs-grade","value":3}]</c>.</summary>
    public static void WriteForCall(Utf8JsonWriter w, IReadOnlyList<Card> cards)
    {
        w.WriteStartArray();
        for (var c = 0; c < cards.Count; c++)
        {
            var card = cards[c];
            var findings = Findings(card);
            for (var i = 0; i < findings.Count; i++)
            {
                var f = findings[i];
                w.WriteStartObject();
                if (card.Uuid is not null) w.WriteString("card", card.Uuid);
                w.WriteString("code", f.Code);
                WriteValue(w, f.Value);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
    }

    /// <summary>A writer with the options of the stored JSON (no escaping beyond JSON's own), over
    /// <paramref name="buffer"/>; reusable with <see cref="Utf8JsonWriter.Reset(IBufferWriter{byte})"/>.</summary>
    public static Utf8JsonWriter NewWriter(IBufferWriter<byte> buffer) =>
        new(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Codes and values only, for log lines: <c>crs-grade=3 iec-hs=negative</c>.</summary>
    public static string Brief(IReadOnlyList<Card> cards)
    {
        var count = 0;
        for (var c = 0; c < cards.Count; c++) count += Findings(cards[c]).Count;
        if (count == 0) return "";
        // One chunk for the usual line (a code and a value are ≈ 40 characters), no regrowth.
        var text = new StringBuilder(64 * count);
        for (var c = 0; c < cards.Count; c++)
        {
            var findings = Findings(cards[c]);
            for (var i = 0; i < findings.Count; i++)
            {
                var f = findings[i];
                if (text.Length > 0) text.Append(' ');
                text.Append(f.Code).Append('=');
                if (f.Value.Number is { } n) text.Append(CultureInfo.InvariantCulture, $"{n}");
                else text.Append(f.Value.Text);
            }
        }
        return text.ToString();
    }

    /// <summary>The distinct finding codes of a card, sorted (ordinal), space-separated.</summary>
    public static string Codes(Card card)
    {
        var findings = Findings(card);
        if (findings.Count == 0) return "";
        if (findings.Count == 1) return findings[0].Code;
        var codes = new string[findings.Count];
        for (var i = 0; i < codes.Length; i++) codes[i] = findings[i].Code;
        Array.Sort(codes, StringComparer.Ordinal);
        var distinct = 1;
        for (var i = 1; i < codes.Length; i++)
        {
            if (!string.Equals(codes[i], codes[distinct - 1], StringComparison.Ordinal)) codes[distinct++] = codes[i];
        }
        return string.Join(' ', codes, 0, distinct);
    }

    /// <summary>The card's findings (<c>org.cartcds.findings</c>); empty when it has none.</summary>
    public static IReadOnlyList<FindingRecord> Findings(Card card) => card.Extension?.Findings ?? (IReadOnlyList<FindingRecord>)[];

    private static void WriteValue(Utf8JsonWriter w, FindingValue value)
    {
        if (value.Number is { } n) w.WriteNumber("value", n);
        else w.WriteString("value", value.Text ?? "");
    }
}
