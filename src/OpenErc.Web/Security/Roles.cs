using Microsoft.AspNetCore.Authorization;

namespace OpenErc.Web.Security;

/// <summary>
/// The roles of the people the centre serves. A role says what a person may do; the access group of a user
/// (<see cref="AccessScope"/>) says which buildings and accounts they may see.
/// </summary>
public static class Roles
{
    public const string Administrator = "admin";
    public const string Calculator = "calculator";
    public const string Financier = "financier";
    public const string PassportOfficer = "passport";
    public const string Bti = "bti";
    public const string AccountManager = "account-manager";
    public const string Dispatcher = "dispatcher";
    public const string Cashier = "cashier";
    public const string ManagementCompany = "management-company";
    public const string Supplier = "supplier";
    public const string Citizen = "citizen";

    /// <summary>Every role with its Russian name, in the order the administrator's screens list them.</summary>
    public static readonly IReadOnlyList<(string Code, string Name)> All =
    [
        (Administrator, "Администратор"),
        (Calculator, "Расчётчик"),
        (Financier, "Финансист"),
        (PassportOfficer, "Паспортист"),
        (Bti, "Сотрудник БТИ"),
        (AccountManager, "Менеджер ЛС"),
        (Dispatcher, "Диспетчер"),
        (Cashier, "Кассир"),
        (ManagementCompany, "Представитель управляющей организации"),
        (Supplier, "Поставщик услуг (РСО)"),
        (Citizen, "Гражданин"),
    ];

    /// <summary>Roles that may see people's names and birth dates in reports (152-ФЗ): every staff role but a supplier's.</summary>
    public static bool SeesPersonalData(System.Security.Claims.ClaimsPrincipal user) => All.Any(r => r.Code is not (Citizen or Supplier) && user.IsInRole(r.Code));

    /// <summary>The roles of the centre's own staff and of its partners: everyone but citizens.</summary>
    public static readonly string[] Staff = All.Select(r => r.Code).Where(r => r != Citizen).ToArray();

    public static string NameOf(string code) => All.FirstOrDefault(r => r.Code == code).Name ?? code;

    /// <summary>
    /// Why <paramref name="roles"/> with <paramref name="accessGroupId"/> cannot be given to a staff user or a machine client
    /// (a service account): the field's code (<c>Roles</c> or <c>AccessGroupId</c>, as Identity's errors name them) and
    /// the Russian message; null when they can. Citizens register themselves, and a company's or supplier's
    /// representative needs the group that narrows what it sees.
    /// </summary>
    public static (string Code, string Message)? Refusal(IReadOnlyList<string>? roles, long? accessGroupId)
    {
        if (roles is not { Count: > 0 }) return ("Roles", "Укажите хотя бы одну роль");
        if (roles.FirstOrDefault(x => All.All(k => k.Code != x)) is { } unknown) return ("Roles", $"Неизвестная роль «{unknown}»");
        if (roles.Contains(Citizen)) return ("Roles", "Граждане регистрируются сами по коду из платёжного документа");
        if (roles.Any(x => x is ManagementCompany or Supplier) && accessGroupId is null)
            return ("AccessGroupId", "Для представителя управляющей организации или поставщика укажите группу доступа");
        return null;
    }

    /// <summary>The Russian names of <paramref name="codes"/>, in the order of <see cref="All"/>, comma-separated.</summary>
    public static string Names(IEnumerable<string> codes)
    {
        var set = codes.ToHashSet();
        return string.Join(", ", All.Where(r => set.Contains(r.Code)).Select(r => r.Name));
    }
}

/// <summary>
/// The duties that guard actions: each policy names the roles that carry the duty (the administrator carries all).
/// Reading is <see cref="Read"/> — every staff role, narrowed to the user's own buildings by <see cref="AccessScope"/>.
/// </summary>
public static class Duties
{
    /// <summary>Reading the registry, charges, payments and documents (within the user's scope); every staff role but the supplier's.</summary>
    public const string Read = "read";
    /// <summary>БТИ: buildings, premises, meters and their acts.</summary>
    public const string HousingStock = "housing-stock";
    /// <summary>Менеджер ЛС: accounts, owners, resident counts, temporary absence, announcements, meter readings.</summary>
    public const string Accounts = "accounts";
    /// <summary>Паспортист: registrations (прописка).</summary>
    public const string Registrations = "registrations";
    /// <summary>Паспортист and менеджер ЛС: the people of the registry (owners, payers, residents).</summary>
    public const string People = "people";
    /// <summary>Менеджер ЛС and БТИ: meter readings taken by the centre.</summary>
    public const string Readings = "readings";
    /// <summary>Reading what is not tied to buildings (payments, registries, runs, journals): the centre's staff without an access group.</summary>
    public const string ReadAll = "read-all";
    /// <summary>Расчётчик: services, tariffs, norms, key rates, the charge run, recalculations, closing, receipts.</summary>
    public const string Billing = "billing";
    /// <summary>Финансист: payments, registries, suspense, reconciliation, transfers, agents' terms.</summary>
    public const string Finance = "finance";
    /// <summary>Кассир: the centre's cash desk.</summary>
    public const string Cash = "cash";
    /// <summary>Диспетчер: complaints, interruptions and quality incidents.</summary>
    public const string Dispatch = "dispatch";
    /// <summary>Администратор: users, roles, organisations, municipalities and access groups.</summary>
    public const string Administration = "administration";
    /// <summary>The citizen cabinet.</summary>
    public const string Cabinet = "cabinet";
    /// <summary>The supplier cabinet.</summary>
    public const string SupplierCabinet = "supplier-cabinet";
    /// <summary>Reports: every staff role, a management company's, supplier's or municipality's user within its scope.</summary>
    public const string Reports = "reports";

    /// <summary>Who carries each duty besides the administrator.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Holders = new Dictionary<string, string[]>
    {
        // A supplier reads through its cabinet only: the registry's account views show every supplier's services.
        [Read] = Roles.Staff.Where(r => r != Roles.Supplier).ToArray(),
        [HousingStock] = [Roles.Bti],
        [Accounts] = [Roles.AccountManager],
        [Registrations] = [Roles.PassportOfficer],
        [People] = [Roles.PassportOfficer, Roles.AccountManager],
        [Readings] = [Roles.AccountManager, Roles.Bti],
        [ReadAll] = Roles.Staff,
        [Billing] = [Roles.Calculator],
        [Finance] = [Roles.Financier],
        [Cash] = [Roles.Cashier, Roles.Financier],
        [Dispatch] = [Roles.Dispatcher],
        [Administration] = [],
        [Cabinet] = [Roles.Citizen],
        [SupplierCabinet] = [Roles.Supplier],
        [Reports] = Roles.Staff,
    };

    public static void Add(AuthorizationOptions options)
    {
        foreach (var duty in Holders.Keys)
            options.AddPolicy(duty, p => p.RequireAuthenticatedUser().RequireAssertion(c => Allows(c.User, duty)));
    }

    /// <summary>
    /// Whether <paramref name="user"/> carries <paramref name="duty"/>: one of its roles holds it (the administrator holds
    /// every staff duty), and — for anything beyond reading and the cabinets — the user belongs to no access group: users
    /// of a management company, a supplier or a municipality read their own buildings and change nothing.
    /// </summary>
    public static bool Allows(System.Security.Claims.ClaimsPrincipal user, string duty)
    {
        if (user.Identity?.IsAuthenticated != true || !Holders.TryGetValue(duty, out var roles)) return false;
        bool cabinet = duty is Cabinet or SupplierCabinet;
        if (!roles.Any(user.IsInRole) && (cabinet || !user.IsInRole(Roles.Administrator))) return false;
        return cabinet || duty is Read or Reports || !user.HasClaim(x => x.Type == AccessScope.GroupClaim);
    }
}
