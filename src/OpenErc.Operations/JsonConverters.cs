using System.Text.Json;
using System.Text.Json.Serialization;
using OpenErc.Core.Common;

namespace OpenErc.Operations;

/// <summary>A JSON error whose message is already written for people (our converters); STJ keeps the message and sets the path.</summary>
public sealed class RussianJsonException(string message) : JsonException(message);

/// <summary><see cref="BillingPeriod"/> as <c>"YYYY-MM"</c>.</summary>
public sealed class BillingPeriodJsonConverter : JsonConverter<BillingPeriod>
{
    public override BillingPeriod Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: 7 } text)
        {
            try
            {
                if (BillingPeriod.TryParse(text, out var period)) return period;
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new RussianJsonException("Месяц должен быть в пределах 2000–2200 годов");
            }
        }
        throw new RussianJsonException("Месяц указывается в виде ГГГГ-ММ, например 2025-03");
    }

    public override void Write(Utf8JsonWriter writer, BillingPeriod value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
