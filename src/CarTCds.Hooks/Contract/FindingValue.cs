using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CarTCds.Hooks.Contract;

/// <summary>A finding's value: a JSON number or a JSON string.</summary>
[JsonConverter(typeof(FindingValueJsonConverter))]
public readonly record struct FindingValue
{
    public decimal? Number { get; }
    public string? Text { get; }

    private FindingValue(decimal? number, string? text)
    {
        Number = number;
        Text = text;
    }

    /// <summary>A number, written without trailing zeros (416, not 416.0).</summary>
    public static FindingValue Of(decimal number) => new(number / 1.000000000000000000000000000000000m, null);

    public static FindingValue Of(string text) => new(null, text);

    public override string ToString() => Number?.ToString(CultureInfo.InvariantCulture) ?? Text ?? "";
}

public sealed class FindingValueJsonConverter : JsonConverter<FindingValue>
{
    public override FindingValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => FindingValue.Of(reader.GetDecimal()),
        JsonTokenType.String => FindingValue.Of(reader.GetString()!),
        _ => throw new JsonException("A finding value must be a number or a string."),
    };

    public override void Write(Utf8JsonWriter writer, FindingValue value, JsonSerializerOptions options)
    {
        if (value.Number is { } n) writer.WriteNumberValue(n);
        else writer.WriteStringValue(value.Text ?? "");
    }
}
