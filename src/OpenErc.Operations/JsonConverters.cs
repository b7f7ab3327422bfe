using System.Text.Json;
using System.Text.Json.Serialization;
using OpenErc.Core.Common;

namespace OpenErc.Operations;

/// <summary>A JSON error whose message is already written for people (our converters); STJ keeps the message and sets the path.</summary>
public sealed class RussianJsonException(string message) : JsonException(message);

/// <summary><see cref="BillingPeriod"/> as <c>"YYYY-MM"</c>; anything else is a <see cref="RussianJsonException"/> saying why (<see cref="BillingPeriod.ParseError"/>).</summary>
public sealed class BillingPeriodJsonConverter : JsonConverter<BillingPeriod>
{
    public override BillingPeriod Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new RussianJsonException(BillingPeriod.ParseError("?", quote: false));
        var text = reader.GetString();
        return BillingPeriod.TryParse(text, out var period) ? period : throw new RussianJsonException(BillingPeriod.ParseError(text, quote: false));
    }

    public override void Write(Utf8JsonWriter writer, BillingPeriod value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
