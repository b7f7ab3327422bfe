using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// Every route of the OpenAPI document, tried with hostile values in each of its parameters and, for changes, in every
/// field of its JSON body: months and dates at and beyond the calendar's ends, integers past 2^31 and below zero, long
/// strings, right-to-left and control characters. Whatever the answer, it is never a 500 and never an empty refusal.
/// </summary>
public sealed class HostileInputTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>In a URL, values short enough for the server's request line (8 KB): longer ones go into bodies.</summary>
    private static readonly string[] ParameterValues =
    [
        "1999-01", "2026-13", "0001-01-01", "9999-12-31", "2147483648", "-1", "9223372036854775808", "0", new string('я', 600),
        "\u202Eкв. 12\u202C", "a\u0000b", "\u0007\u001b[31m", "'; DROP TABLE payments; --", "%",
    ];

    /// <summary>A body field's hostile values, by its type in the schema.</summary>
    private static IEnumerable<JsonNode?> FieldValues(string type) => type switch
    {
        "integer" => [JsonValue.Create(2147483648L), JsonValue.Create(-1), JsonValue.Create(decimal.MaxValue)],
        "number" => [JsonValue.Create(-1), JsonValue.Create(decimal.MaxValue), JsonValue.Create(0.001m)],
        "boolean" => [JsonValue.Create("да")],
        "array" => [new JsonArray(Enumerable.Range(0, 5000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()), new JsonArray(JsonValue.Create(new string('ж', 100_000)))],
        _ => [JsonValue.Create(new string('ж', 100_000)), JsonValue.Create("0001-01-01"), JsonValue.Create("9999-12-31"), JsonValue.Create("\u202E\u0000\u0007"),
              JsonValue.Create("2300-01")],
    };

    [Fact]
    public async Task No_route_answers_hostile_input_with_a_500_or_an_empty_refusal()
    {
        using var document = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json", Ct));
        var root = document.RootElement;
        // Signing out would end the sweep's own session; everything else is fair game.
        var operations = OpenApiSweep.Operations(root, "get", "post", "put", "delete")
            .Where(o => o.Path != "/api/v1/auth/logout").ToList();
        operations.Count(o => o.Method != "GET").ShouldBeGreaterThan(20);
        var plausible = await OpenApiSweep.PlausibleAsync(host);
        using var supplier = await OpenApiSweep.SupplierClientAsync(host, "hostile-supplier");

        var failures = new List<string>();
        int calls = 0;
        async Task TryAsync(HttpClient client, string method, string url, JsonNode? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method != "GET") request.Content = JsonContent.Create(body ?? new JsonObject());
            using var response = await client.SendAsync(request, Ct);
            calls++;
            if (await OpenApiSweep.FaultAsync($"{method} {(url.Length > 200 ? url[..200] + "…" : url)}", response) is { } fault)
                failures.Add(fault + (body is null ? "" : " ← " + body.ToJsonString()[..Math.Min(200, body.ToJsonString().Length)]));
        }

        foreach (var operation in operations)
        {
            var client = operation.Path.StartsWith("/api/v1/supplier/", StringComparison.Ordinal) ? supplier : host.Client;
            foreach (var parameter in operation.Parameters)
                foreach (var value in ParameterValues)
                    // A NUL in a path is refused by the server itself (Kestrel's bare 400) before any of the application runs.
                    if (!(parameter.In == "path" && value.Contains('\0')))
                        await TryAsync(client, operation.Method, OpenApiSweep.Url(operation.Path, operation.Parameters, parameter, value, plausible), null);
            if (operation.Body is not { } schema || !schema.TryGetProperty("properties", out var properties)) continue;
            var url = OpenApiSweep.Url(operation.Path, operation.Parameters, null, "", plausible);
            foreach (var property in properties.EnumerateObject())
            {
                var type = OpenApiSweep.Resolve(root, property.Value) is var p && p.TryGetProperty("type", out var t)
                    ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).First(x => x != "null")! : t.GetString()!
                    : "string";
                foreach (var value in FieldValues(type))
                    await TryAsync(client, operation.Method, url, new JsonObject { [property.Name] = value?.DeepClone() });
            }
        }
        failures.ShouldBeEmpty();
        calls.ShouldBeGreaterThan(1000);
    }
}
