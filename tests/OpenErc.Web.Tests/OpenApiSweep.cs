using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// Walks the host's own OpenAPI document: its operations with their path and query parameters, and URLs that put a value
/// under test into one parameter while the others get values that reach the handler. A route is covered the day it is mapped.
/// </summary>
internal static class OpenApiSweep
{
    public sealed record Parameter(string Name, string In, bool Required, bool Integer);

    /// <summary>An operation: its method, path, path and query parameters, and the schema of its JSON body (null: none).</summary>
    public sealed record Operation(string Method, string Path, IReadOnlyList<Parameter> Parameters, JsonElement? Body);

    /// <summary>Values that reach the handler for the parameters not under test: an account's id and number, a one.</summary>
    public sealed record Plausible(long AccountId, string AccountNumber);

    /// <summary>The operations of <paramref name="methods"/> (lower case: get, post, put, delete) in the document.</summary>
    public static IEnumerable<Operation> Operations(JsonElement document, params string[] methods)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var method in methods)
            {
                if (!path.Value.TryGetProperty(method, out var operation)) continue;
                var parameters = ParametersOf(path.Value).Concat(ParametersOf(operation))
                    .Where(p => p.In is "path" or "query").DistinctBy(p => (p.Name, p.In)).ToList();
                JsonElement? body = operation.TryGetProperty("requestBody", out var requestBody)
                                    && requestBody.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json)
                                    && json.TryGetProperty("schema", out var schema)
                    ? Resolve(document, schema) : null;
                yield return new Operation(method.ToUpperInvariant(), path.Name, parameters, body);
            }
    }

    /// <summary>A schema with its <c>$ref</c> followed into <c>components/schemas</c>.</summary>
    public static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } r && r.StartsWith("#/components/schemas/", StringComparison.Ordinal)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(r["#/components/schemas/".Length..])
            : schema;

    private static IEnumerable<Parameter> ParametersOf(JsonElement item)
    {
        if (!item.TryGetProperty("parameters", out var list)) yield break;
        foreach (var p in list.EnumerateArray())
        {
            string type = p.TryGetProperty("schema", out var schema) && schema.TryGetProperty("type", out var t)
                ? t.ValueKind == JsonValueKind.Array ? string.Join(",", t.EnumerateArray().Select(x => x.GetString())) : t.GetString() ?? ""
                : "";
            yield return new Parameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                p.TryGetProperty("required", out var required) && required.GetBoolean(), type.Contains("integer", StringComparison.Ordinal));
        }
    }

    public static async Task<Plausible> PlausibleAsync(WebHost host)
    {
        var ct = TestContext.Current.CancellationToken;
        var accounts = await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/accounts?pageSize=1", ct), HttpStatusCode.OK);
        var account = accounts.GetProperty("items")[0];
        return new Plausible(account.GetProperty("id").GetInt64(), account.GetProperty("number").GetString()!);
    }

    /// <summary>
    /// The URL of <paramref name="path"/> with <paramref name="value"/> in <paramref name="tested"/> (null: none under test) —
    /// an empty path value is sent as <c>%20</c>, because an empty segment would route to another endpoint or to nothing.
    /// </summary>
    public static string Url(string path, IReadOnlyList<Parameter> parameters, Parameter? tested, string value, Plausible plausible)
    {
        string Other(Parameter p) =>
            p.Name.Contains("month", StringComparison.OrdinalIgnoreCase) ? "2026-11"
            : p.Name == "number" ? plausible.AccountNumber
            : p.Name == "id" && path.StartsWith("/api/v1/accounts/", StringComparison.Ordinal) ? plausible.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "1";
        var url = path;
        var query = new List<string>();
        foreach (var p in parameters)
        {
            bool isTested = p == tested;
            if (p.In == "path")
                url = url.Replace("{" + p.Name + "}", isTested ? value.Length == 0 ? "%20" : Uri.EscapeDataString(value) : Uri.EscapeDataString(Other(p)),
                    StringComparison.Ordinal);
            else if (isTested || p.Required)
                query.Add($"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(isTested ? value : Other(p))}");
        }
        return query.Count == 0 ? url : url + "?" + string.Join("&", query);
    }

    /// <summary>
    /// A signed-in user of a supplier's access group (made over the API) for the supplier cabinet's routes: of
    /// <paramref name="organisation"/>, or of the first organisation when it does not matter whose.
    /// </summary>
    public static async Task<HttpClient> SupplierClientAsync(WebHost host, string login, long? organisation = null)
    {
        var ct = TestContext.Current.CancellationToken;
        const string password = "sweep-test-password";
        organisation ??= (await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/organisations?pageSize=1", ct), HttpStatusCode.OK))
            .GetProperty("items")[0].GetProperty("id").GetInt64();
        var group = await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/access-groups",
            new { kind = "Supplier", name = "Поставщик для проверки " + login, organisationId = organisation }, ct), HttpStatusCode.Created);
        await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/users", new
            {
                login, fullName = "Поставщик для проверки", password, roles = new[] { Roles.Supplier },
                accessGroupId = group.GetProperty("id").GetInt64(),
            }, ct), HttpStatusCode.Created);
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.BaseAddress };
        (await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password }, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return client;
    }

    /// <summary>What is wrong with an answer to hostile input: a 5xx, or a refusal with an empty body (null: nothing).</summary>
    public static async Task<string?> FaultAsync(string request, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if ((int)response.StatusCode >= 500) return $"{request}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}";
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound && body.Trim().Length == 0)
            return $"{request}: {(int)response.StatusCode} with an empty body";
        return null;
    }
}
