using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>
/// Create, read, update, search and history for every registry object under <c>/api/v1</c>.
/// Bad input gets 400 ProblemDetails with messages per field in Russian, and nothing is saved.
/// Registry rows are never deleted: they are closed by their dates, so history stays whole.
/// </summary>
public static class RegistryApi
{
    public static void MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/accounts", async (OpenErcDbContext db, HttpContext http, Scopes scopes, string? search, long? buildingId, bool? open, AccountSort? sort,
                bool? desc, int? page, int? pageSize, CancellationToken ct) =>
                TypedResults.Ok(await AccountSearch.FindAsync(db, search, page ?? 1, pageSize ?? 25, sort ?? AccountSort.Number, desc ?? false, buildingId, open,
                    (await scopes.ForAsync(http.User, ct)).Buildings, ct)))
            .WithTags("Лицевые счета").WithSummary("Поиск лицевых счетов по номеру, адресу или ФИО плательщика (в пределах домов пользователя)")
            .RequireAuthorization(Duties.Read);
        api.MapPost("/accounts/{id:long}/resident-count", async (long id, ResidentCountChange change, OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                if (await db.Accounts.FindAsync([id], ct) is null) return NotFound("Лицевой счёт", id);
                Stamp(db, http);
                try { return Results.Ok(await Residency.SetResidentCountAsync(db, id, change.Count, change.From, change.Basis, ct)); }
                catch (RegistryValidationException e) { return Invalid(e.Errors); }
            })
            .WithTags("Лицевые счета").WithSummary("Изменить число проживающих с указанной даты").RequireAuthorization(Duties.Accounts);

        Map<Organisation>(api, search: s => o => EF.Functions.ILike(o.Name, s) || EF.Functions.ILike(o.Inn, s));
        Map<Municipality>(api, search: s => m => EF.Functions.ILike(m.Name, s));
        Map<AccessGroup>(api, search: s => g => EF.Functions.ILike(g.Name, s));
        Map<Building>(api, search: s => b => EF.Functions.ILike(b.Address, s));
        Map<BuildingManagement>(api);
        Map<Premise>(api, search: s => p => EF.Functions.ILike(p.Number, s));
        Map<PersonalAccount>(api, list: false);
        Map<Person>(api, search: s => p => EF.Functions.ILike(p.FullName, s));
        Map<Ownership>(api);
        Map<Registration>(api);
        Map<IdentityDocument>(api);
        Map<ResidentCount>(api);
        Map<TemporaryAbsence>(api);
        Map<DebtClaim>(api);
        Map<LimitationNotice>(api);
        Map<AccountAlias>(api, search: s => x => EF.Functions.ILike(x.Number, s));
        Map<Service>(api, search: s => x => EF.Functions.ILike(x.Name, s) || EF.Functions.ILike(x.Code, s));
        Map<BuildingServiceMethod>(api);
        Map<ServiceContract>(api);
        Map<Tariff>(api);
        Map<ConsumptionNorm>(api, search: s => n => EF.Functions.ILike(n.Category, s));
        Map<KeyRate>(api);
        Map<LimitIndex>(api);
        Map<Meter>(api, search: s => m => EF.Functions.ILike(m.SerialNumber, s));
        Map<MeterReading>(api);
        Map<GroupMeterPremise>(api);
        Map<MeterImpossibilityAct>(api);
        Map<Incident>(api, search: s => i => EF.Functions.ILike(i.Document, s));
        Map<HeatingAverageVolume>(api);
        Map<ElementInspection>(api);
        Map<CapitalRepairWork>(api, search: s => w => EF.Functions.ILike(w.Work, s) || EF.Functions.ILike(w.Contractor!, s));
    }

    public sealed record ResidentCountChange(int Count, DateOnly From, string? Basis);

    /// <summary>
    /// The registry's kinds by their address segment: the type, the duty that creates and changes it, the API's tag. The API
    /// and the workstation's forms (<c>/registry/{kind}/…</c>) both read it, so a kind's duty is stated once.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, RegistryEndpoint> Endpoints = new Dictionary<string, RegistryEndpoint>
    {
        ["organisations"] = new(typeof(Organisation), Duties.Administration, "Организации"),
        ["municipalities"] = new(typeof(Municipality), Duties.Administration, "Муниципальные образования"),
        ["access-groups"] = new(typeof(AccessGroup), Duties.Administration, "Группы доступа"),
        ["buildings"] = new(typeof(Building), Duties.HousingStock, "Дома"),
        ["building-managements"] = new(typeof(BuildingManagement), Duties.HousingStock, "Управление домами"),
        ["premises"] = new(typeof(Premise), Duties.HousingStock, "Помещения"),
        ["accounts"] = new(typeof(PersonalAccount), Duties.Accounts, "Лицевые счета"),
        ["people"] = new(typeof(Person), Duties.People, "Граждане"),
        ["ownerships"] = new(typeof(Ownership), Duties.Accounts, "Собственники"),
        ["registrations"] = new(typeof(Registration), Duties.Registrations, "Регистрация граждан"),
        ["identity-documents"] = new(typeof(IdentityDocument), Duties.People, "Документы, удостоверяющие личность"),
        ["resident-counts"] = new(typeof(ResidentCount), Duties.Accounts, "Число проживающих"),
        ["temporary-absences"] = new(typeof(TemporaryAbsence), Duties.Accounts, "Временное отсутствие"),
        ["debt-claims"] = new(typeof(DebtClaim), Duties.Accounts, "Взыскание задолженности"),
        ["limitation-notices"] = new(typeof(LimitationNotice), Duties.Accounts, "Уведомления об ограничении услуг"),
        ["account-aliases"] = new(typeof(AccountAlias), Duties.Accounts, "Другие номера лицевых счетов"),
        ["services"] = new(typeof(Service), Duties.Billing, "Услуги"),
        ["building-service-methods"] = new(typeof(BuildingServiceMethod), Duties.Billing, "Способы расчёта услуг"),
        ["service-contracts"] = new(typeof(ServiceContract), Duties.Billing, "Поставщики услуг по домам"),
        ["tariffs"] = new(typeof(Tariff), Duties.Billing, "Тарифы"),
        ["norms"] = new(typeof(ConsumptionNorm), Duties.Billing, "Нормативы потребления"),
        ["key-rates"] = new(typeof(KeyRate), Duties.Billing, "Ключевая ставка"),
        ["limit-indices"] = new(typeof(LimitIndex), Duties.Billing, "Предельные индексы изменения платы"),
        ["meters"] = new(typeof(Meter), Duties.HousingStock, "Приборы учёта"),
        ["meter-readings"] = new(typeof(MeterReading), Duties.Readings, "Показания приборов учёта"),
        ["group-meter-premises"] = new(typeof(GroupMeterPremise), Duties.HousingStock, "Помещения групповых приборов учёта"),
        ["meter-impossibility-acts"] = new(typeof(MeterImpossibilityAct), Duties.HousingStock, "Акты о невозможности установки ПУ"),
        ["incidents"] = new(typeof(Incident), Duties.Dispatch, "Перерывы и нарушения качества"),
        ["heating-average-volumes"] = new(typeof(HeatingAverageVolume), Duties.HousingStock, "Среднемесячный объём отопления"),
        ["element-inspections"] = new(typeof(ElementInspection), Duties.HousingStock, "Износ конструктивных элементов"),
        ["capital-repair-works"] = new(typeof(CapitalRepairWork), Duties.HousingStock, "Программа капитального ремонта"),
    };

    /// <summary>
    /// The endpoints of one registry object type: everyone with <see cref="Duties.Read"/> reads what their scope lets
    /// them see (403 for an object outside it); its duty in <see cref="Endpoints"/> creates and changes.
    /// </summary>
    private static void Map<T>(RouteGroupBuilder api, Func<string, Expression<Func<T, bool>>>? search = null, bool list = true)
        where T : class, IRegistryObject
    {
        var (route, (_, duty, tag)) = Endpoints.Single(e => e.Value.Type == typeof(T));
        var group = api.MapGroup("/" + route).WithTags(tag);
        var read = group.MapGroup("").RequireAuthorization(Duties.Read);
        var write = group.MapGroup("").RequireAuthorization(duty);
        if (list)
            read.MapGet("/", async (OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
                    await ListAsync(db, http.Request, search, (await scopes.ForAsync(http.User, ct)).Filter<T>(db), ct))
                .WithSummary($"{tag}: список с отбором, сортировкой и страницами")
                .WithDescription("Параметры: search — поиск по тексту; page, pageSize — страница; sort — поле (с «-» для убывания); " +
                                 "любое поле-ссылка (например buildingId) — отбор по значению.")
                .Produces<Page<T>>();
        read.MapGet("/{id:long}", async (long id, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
                await db.Set<T>().AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) is not { } item ? NotFound(tag, id)
                : await VisibleAsync<T>(db, http, scopes, id, ct) ? Results.Ok(item)
                : Scopes.OutOfScope(tag + ": объект", id))
            .WithSummary($"{tag}: карточка").Produces<T>().ProducesProblem(404).ProducesProblem(403);
        write.MapPost("/", async (OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                var (item, error) = await ReadAsync<T>(http, ct);
                if (error is not null) return error;
                item!.Id = 0;
                db.Add(item);
                return await SaveAsync(db, http, () => Results.Created($"/api/v1/{route}/{item.Id}", item), ct);
            })
            .WithSummary($"{tag}: создать").Accepts<T>("application/json").Produces<T>(201).ProducesValidationProblem();
        write.MapPut("/{id:long}", async (long id, OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                var existing = await db.Set<T>().SingleOrDefaultAsync(x => x.Id == id, ct);
                if (existing is null) return NotFound(tag, id);
                var (item, error) = await ReadAsync<T>(http, ct);
                if (error is not null) return error;
                item!.Id = id;
                db.Entry(existing).CurrentValues.SetValues(item);
                return await SaveAsync(db, http, () => Results.Ok(existing), ct);
            })
            .WithSummary($"{tag}: изменить (причина — параметр reason)").Accepts<T>("application/json").Produces<T>().ProducesValidationProblem();
        read.MapGet("/{id:long}/history", async (long id, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
                await VisibleAsync<T>(db, http, scopes, id, ct) ? Results.Ok(await History.OfAsync<T>(db, id, ct)) : Scopes.OutOfScope(tag + ": объект", id))
            .WithSummary($"{tag}: история изменений").Produces<List<AuditEntry>>();
    }

    private static async Task<bool> VisibleAsync<T>(OpenErcDbContext db, HttpContext http, Scopes scopes, long id, CancellationToken ct)
        where T : class, IRegistryObject =>
        (await scopes.ForAsync(http.User, ct)).Filter<T>(db) is not { } filter || await db.Set<T>().Where(filter).AnyAsync(x => x.Id == id, ct);

    private static async Task<IResult> ListAsync<T>(OpenErcDbContext db, HttpRequest request, Func<string, Expression<Func<T, bool>>>? search,
        Expression<Func<T, bool>>? scope, CancellationToken ct)
        where T : class, IRegistryObject
    {
        IQueryable<T> q = db.Set<T>().AsNoTracking();
        if (scope is not null) q = q.Where(scope);
        var query = request.Query;
        if (query["search"].ToString() is { Length: > 0 } text && search is not null)
            q = q.Where(search("%" + text.Replace("%", "\\%").Replace("_", "\\_") + "%"));
        foreach (var p in typeof(T).GetProperties().Where(p => p.Name.EndsWith("Id", StringComparison.Ordinal) && p.Name != "Id"))
        {
            var key = JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            if (!query.TryGetValue(key, out var raw) || raw.Count == 0) continue;
            if (!long.TryParse(raw.ToString(), out var value))
                return Invalid(new() { [p.Name] = ["Ожидается целое число"] });
            q = q.Where(x => EF.Property<long?>(x, p.Name) == value);
        }

        var sort = query["sort"].ToString();
        bool desc = sort.StartsWith('-');
        var sortProperty = typeof(T).GetProperty(sort.TrimStart('-'), BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (sortProperty is not null && db.Model.FindEntityType(typeof(T))?.FindProperty(sortProperty.Name) is not null)
            q = desc ? q.OrderByDescending(x => EF.Property<object>(x, sortProperty.Name)).ThenBy(x => x.Id)
                     : q.OrderBy(x => EF.Property<object>(x, sortProperty.Name)).ThenBy(x => x.Id);
        else if (sort.Length > 0)
            return Invalid(new() { ["sort"] = [$"Нельзя сортировать по полю «{sort.TrimStart('-')}»"] });
        else
            q = q.OrderBy(x => x.Id);

        int page = int.TryParse(query["page"], out var pg) && pg > 0 ? pg : 1;
        int size = int.TryParse(query["pageSize"], out var ps) ? Math.Clamp(ps, 1, AccountSearch.MaxPageSize) : 25;
        int total = await q.CountAsync(ct);
        var items = await q.Skip((page - 1) * size).Take(size).ToListAsync(ct);
        return Results.Ok(new Page<T>(items, total, page, size));
    }

    private static async Task<(T? Item, IResult? Error)> ReadAsync<T>(HttpContext http, CancellationToken ct) where T : class
    {
        T? item;
        try
        {
            var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            item = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, options, ct);
        }
        catch (JsonException e)
        {
            var field = e.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "";
            return (null, Invalid(new() { [field] = ["Неверный формат значения"] }));
        }
        if (item is null) return (null, Invalid(new() { [""] = ["Пустой запрос"] }));
        var errors = RegistryValidation.Validate(item);
        return errors.Count > 0 ? (null, Invalid(errors)) : (item, null);
    }

    private static async Task<IResult> SaveAsync(OpenErcDbContext db, HttpContext http, Func<IResult> ok, CancellationToken ct)
    {
        Stamp(db, http);
        try
        {
            await db.SaveChangesAsync(ct);
            return ok();
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException pg && pg.SqlState is PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.UniqueViolation)
        {
            // The constraint names the column: fk_premises_buildings_building_id, ix_personal_accounts_number.
            var column = ColumnOf(db, pg);
            var message = pg.SqlState == PostgresErrorCodes.ForeignKeyViolation ? "Ссылка на несуществующий объект" : "Такое значение уже есть в картотеке";
            return Invalid(new() { [column] = [message] });
        }
    }

    private static string ColumnOf(OpenErcDbContext db, PostgresException pg)
    {
        if (pg.ConstraintName is null) return "";
        var table = db.Model.GetEntityTypes().FirstOrDefault(t => t.GetTableName() == pg.TableName);
        var property = table?.GetProperties().Where(p => pg.ConstraintName.EndsWith(p.GetColumnName(), StringComparison.Ordinal))
            .OrderByDescending(p => p.GetColumnName().Length).FirstOrDefault();
        return property?.Name ?? "";
    }

    internal static void Stamp(OpenErcDbContext db, HttpContext http)
    {
        db.Actor = SecuritySetup.Actor(http.User);
        db.Reason = http.Request.Query["reason"].ToString() is { Length: > 0 } reason ? reason : null;
    }

    /// <summary>A multipart form of an upload, or the refusal (400, in Russian, with <paramref name="how"/>) of a request that is not one.</summary>
    internal static async Task<(IFormCollection? Form, IResult? Refusal)> UploadAsync(HttpContext http, string how, CancellationToken ct)
    {
        try
        {
            if (http.Request.HasFormContentType) return (await http.Request.ReadFormAsync(ct), null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
        }
        return (null, Invalid(new() { [""] = [how] }));
    }

    internal static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value),
            title: "Данные не сохранены: исправьте ошибки", type: "https://openerc.ru/problems/validation");

    internal static IResult NotFound(string what, long id) =>
        TypedResults.Problem($"{what}: объект с кодом {id} не найден", statusCode: 404, title: "Не найдено");
}

/// <summary>A registry kind's type, the duty that creates and changes it, and the API's tag for it.</summary>
public sealed record RegistryEndpoint(Type Type, string Duty, string Tag);
