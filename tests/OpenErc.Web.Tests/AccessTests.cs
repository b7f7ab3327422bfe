using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Housing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// Every role against every endpoint group over real HTTP: allowed where the role's duties say, refused (403) everywhere
/// else, 401 without signing in. A write probe carries an empty body, so an allowed one is refused by validation (400)
/// and changes nothing either way.
/// </summary>
public sealed class AccessTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One request per endpoint group, with the duty that opens it.</summary>
    private static readonly (string Duty, HttpMethod Method, string Path)[] Probes =
    [
        ("read", HttpMethod.Get, "/api/v1/accounts?search=1"),
        ("read", HttpMethod.Get, "/api/v1/buildings"),
        ("read", HttpMethod.Get, "/api/v1/tariffs"),
        ("read", HttpMethod.Get, "/api/v1/announcements"),
        ("housing", HttpMethod.Post, "/api/v1/buildings"),
        ("housing", HttpMethod.Post, "/api/v1/meters"),
        ("accounts", HttpMethod.Post, "/api/v1/accounts"),
        ("accounts", HttpMethod.Post, "/api/v1/resident-counts"),
        ("accounts", HttpMethod.Post, "/api/v1/announcements"),
        ("people", HttpMethod.Post, "/api/v1/people"),
        ("registrations", HttpMethod.Post, "/api/v1/registrations"),
        ("readings", HttpMethod.Post, "/api/v1/meter-readings"),
        ("billing", HttpMethod.Post, "/api/v1/tariffs"),
        ("billing", HttpMethod.Post, "/api/v1/billing/runs"),
        ("dispatch", HttpMethod.Post, "/api/v1/incidents"),
        ("dispatch", HttpMethod.Get, "/api/v1/requests"),
        ("admin", HttpMethod.Post, "/api/v1/organisations"),
        ("admin", HttpMethod.Get, "/api/v1/users"),
        ("admin", HttpMethod.Post, "/api/v1/users"),
        ("read-all", HttpMethod.Get, "/api/v1/billing/periods/2026-01"),
        ("read-all", HttpMethod.Get, "/api/v1/payments?pageSize=1"),
        ("read-all", HttpMethod.Get, "/api/v1/payments/registries"),
        ("finance", HttpMethod.Post, "/api/v1/payments/transfers/prepare"),
        ("finance", HttpMethod.Post, "/api/v1/payments/registries"),
        ("cabinet", HttpMethod.Get, "/api/v1/me/accounts"),
        ("cabinet", HttpMethod.Get, "/api/v1/me/requests"),
        ("supplier", HttpMethod.Get, "/api/v1/supplier/meters"),
    ];

    /// <summary>What each role may do, written out from the issue's duties (not read from the code under test).</summary>
    public static TheoryData<string> AllRoles => new(Roles.All.Select(r => r.Code));

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [Roles.Administrator] = ["read", "housing", "accounts", "people", "registrations", "readings", "billing", "dispatch", "admin", "read-all", "finance"],
        [Roles.Calculator] = ["read", "read-all", "billing"],
        [Roles.Financier] = ["read", "read-all", "finance"],
        [Roles.PassportOfficer] = ["read", "read-all", "people", "registrations"],
        [Roles.Bti] = ["read", "read-all", "housing", "readings"],
        [Roles.AccountManager] = ["read", "read-all", "accounts", "people", "readings"],
        [Roles.Dispatcher] = ["read", "read-all", "dispatch"],
        [Roles.Cashier] = ["read", "read-all"],
        [Roles.ManagementCompany] = ["read"],
        [Roles.Supplier] = ["supplier"],
        [Roles.Citizen] = ["cabinet"],
    };

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Each_role_reaches_exactly_the_endpoint_groups_of_its_duties(string role)
    {
        using var client = role == Roles.Citizen
            ? (await host.CitizenAsync(await FirstAccountAsync())).Client
            : await host.ClientAsync(role, await GroupOfAsync(role));
        await ReachesExactlyTheGroupsOfItsDutiesAsync(client, role);
    }

    /// <summary>Every staff role but a citizen's (a citizen registers; no key is made for one).</summary>
    public static TheoryData<string> StaffRoles => new(Roles.Staff);

    [Theory]
    [MemberData(nameof(StaffRoles))]
    public async Task An_API_key_of_each_role_reaches_exactly_what_a_person_of_the_role_does(string role)
    {
        using var client = await ApiKeyTests.KeyClientAsync(host, "Проверка ролей " + role, role, await GroupOfAsync(role));
        await ReachesExactlyTheGroupsOfItsDutiesAsync(client, role);
    }

    /// <summary>The group a user or key of <paramref name="role"/> needs: a company's or supplier's; none for the centre's staff.</summary>
    private async Task<long?> GroupOfAsync(string role) => role switch
    {
        Roles.ManagementCompany => await GroupAsync(AccessGroupKind.ManagementCompany),
        Roles.Supplier => await GroupAsync(AccessGroupKind.Supplier),
        _ => null,
    };

    private async Task ReachesExactlyTheGroupsOfItsDutiesAsync(HttpClient client, string role)
    {
        int buildings = await host.ScalarAsync<int>("SELECT count(*)::int FROM buildings");
        var wrong = new List<string>();
        foreach (var (duty, method, path) in Probes)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Content = Body(method, path);
            using var response = await client.SendAsync(request, Ct);
            bool allowed = Allowed[role].Contains(duty);
            bool refused = response.StatusCode == HttpStatusCode.Forbidden;
            if (allowed == refused || response.StatusCode == HttpStatusCode.Unauthorized || (int)response.StatusCode >= 500)
                wrong.Add($"{method} {path}: {(int)response.StatusCode}, ожидалось {(allowed ? "разрешено" : "403")}");
            if (refused)
                (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Нет доступа");
        }
        wrong.ShouldBeEmpty();
        // Nothing was created by the probes.
        (await host.ScalarAsync<int>("SELECT count(*)::int FROM buildings")).ShouldBe(buildings);
    }

    [Fact]
    public async Task Without_signing_in_every_group_answers_401_and_the_calculators_stay_open()
    {
        using var anonymous = host.AnonymousClient();
        foreach (var (_, method, path) in Probes)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Content = Body(method, path);
            using var response = await anonymous.SendAsync(request, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {path}");
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Требуется вход");
        }
        (await anonymous.PostAsJsonAsync("/api/v1/calculator/penalties", new { calculatedOn = "2025-08-15", debts = new[] { new { amount = 5000, month = "2025-03" } } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_management_company_sees_only_its_buildings_and_their_accounts()
    {
        var (groupA, buildingA, buildingB) = await TwoCompaniesAsync();
        using var company = await host.ClientAsync(Roles.ManagementCompany, groupA);
        long accountA = await host.ScalarAsync<long>($"SELECT min(a.id) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {buildingA}");
        long accountB = await host.ScalarAsync<long>($"SELECT min(a.id) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {buildingB}");

        (await company.GetAsync($"/api/v1/accounts/{accountA}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await WebHost.JsonAsync(await company.GetAsync($"/api/v1/accounts/{accountB}", Ct), HttpStatusCode.Forbidden);
        refused.GetProperty("detail").GetString()!.ShouldContain("не относится к вашим домам");
        (await company.GetAsync($"/api/v1/accounts/{accountB}/charges", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await company.GetAsync($"/api/v1/accounts/{accountB}/receipts", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await company.GetAsync($"/api/v1/accounts/{accountB}/history", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await company.GetAsync($"/api/v1/buildings/{buildingB}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await company.GetAsync($"/api/v1/accounts/{accountA}/charges", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var search = await WebHost.JsonAsync(await company.GetAsync("/api/v1/accounts?pageSize=200", Ct), HttpStatusCode.OK);
        search.GetProperty("total").GetInt32().ShouldBe(await host.ScalarAsync<int>(
            $"SELECT count(*)::int FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {buildingA}"));
        var buildings = await WebHost.JsonAsync(await company.GetAsync("/api/v1/buildings", Ct), HttpStatusCode.OK);
        buildings.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ShouldBe([buildingA]);
        var premises = await WebHost.JsonAsync(await company.GetAsync($"/api/v1/premises?buildingId={buildingB}", Ct), HttpStatusCode.OK);
        premises.GetProperty("total").GetInt32().ShouldBe(0);
        // Reading is all a company's representative does: a change is refused.
        (await company.PostAsJsonAsync($"/api/v1/accounts/{accountA}/resident-count", new { count = 3, from = "2026-01-01" }, Ct)).StatusCode
            .ShouldBe(HttpStatusCode.Forbidden);
    }

    /// <summary>
    /// Two buildings managed by two companies today, and the access group of the first. The demo region's second
    /// building is handed to another company when both have the same one.
    /// </summary>
    internal static async Task<(long Group, long BuildingA, long BuildingB)> TwoCompaniesAsync(WebHost host)
    {
        await using var db = host.CreateContext();
        var today = host.Clock.Today;
        var managed = await db.BuildingManagements.Where(m => m.ValidFrom <= today && (m.ValidTo == null || m.ValidTo >= today))
            .OrderBy(m => m.BuildingId).ToListAsync(Ct);
        var first = managed[0];
        var other = managed.FirstOrDefault(m => m.OrganisationId != first.OrganisationId);
        if (other is null)
        {
            long orgB = await db.Organisations.Where(o => o.Id != first.OrganisationId && o.Kind == Core.Organisations.OrganisationKind.ManagementCompany)
                .Select(o => o.Id).FirstAsync(Ct);
            other = managed.First(m => m.BuildingId != first.BuildingId);
            await OpenErc.Testing.Sql.ExecAsync(host.ConnectionString,
                $"UPDATE building_managements SET organisation_id = {orgB} WHERE id = {other.Id}");
        }
        var group = await db.AccessGroups.FirstOrDefaultAsync(g => g.Kind == AccessGroupKind.ManagementCompany && g.OrganisationId == first.OrganisationId, Ct);
        if (group is null)
        {
            group = new AccessGroup { Kind = AccessGroupKind.ManagementCompany, Name = "УК А", OrganisationId = first.OrganisationId };
            db.Add(group);
            await db.SaveChangesAsync(Ct);
        }
        return (group.Id, first.BuildingId, other.BuildingId);
    }

    private Task<(long Group, long BuildingA, long BuildingB)> TwoCompaniesAsync() => TwoCompaniesAsync(host);

    /// <summary>An empty body of the kind the endpoint reads: a registry upload is a form, the rest JSON.</summary>
    private static HttpContent? Body(HttpMethod method, string path) =>
        method != HttpMethod.Post ? null : path.EndsWith("/registries", StringComparison.Ordinal) ? new MultipartFormDataContent() : JsonContent.Create(new { });

    private Task<long> FirstAccountAsync() => host.ScalarAsync<long>("SELECT min(id) FROM personal_accounts");

    private Task<long> GroupAsync(AccessGroupKind kind) => GroupAsync(host, kind);

    /// <summary>An access group of <paramref name="kind"/>: the first there is, else one made for the first company or supplier.</summary>
    internal static async Task<long> GroupAsync(WebHost host, AccessGroupKind kind)
    {
        await using var db = host.CreateContext();
        if (await db.AccessGroups.Where(g => g.Kind == kind).Select(g => (long?)g.Id).FirstOrDefaultAsync(Ct) is { } id) return id;
        long org = kind == AccessGroupKind.Supplier
            ? await db.ServiceContracts.Select(c => c.SupplierId).FirstAsync(Ct)
            : await db.BuildingManagements.Select(m => m.OrganisationId).FirstAsync(Ct);
        var group = new AccessGroup { Kind = kind, Name = "Группа " + kind, OrganisationId = org };
        db.Add(group);
        await db.SaveChangesAsync(Ct);
        return group.Id;
    }
}
