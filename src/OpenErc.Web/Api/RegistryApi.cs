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
        api.MapGet("/accounts", async (OpenErcDbContext db, string? search, long? buildingId, bool? open, AccountSort? sort, bool? desc,
                int? page, int? pageSize, CancellationToken ct) =>
                TypedResults.Ok(await AccountSearch.FindAsync(db, search, page ?? 1, pageSize ?? 25, sort ?? AccountSort.Number, desc ?? false, buildingId, open, ct)))
            .WithTags("Лицевые счета").WithSummary("Поиск лицевых счетов по номеру, адресу или ФИО плательщика");
        api.MapPost("/accounts/{id:long}/resident-count", async (long id, ResidentCountChange change, OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                if (await db.Accounts.FindAsync([id], ct) is null) return NotFound("Лицевой счёт", id);
                Stamp(db, http);
                try { return Results.Ok(await Residency.SetResidentCountAsync(db, id, change.Count, change.From, change.Basis, ct)); }
                catch (RegistryValidationException e) { return Invalid(e.Errors); }
            })
            .WithTags("Лицевые счета").WithSummary("Изменить число проживающих с указанной даты");

        Map<Organisation>(api, "organisations", "Организации", search: s => o => EF.Functions.ILike(o.Name, s) || EF.Functions.ILike(o.Inn, s));
        Map<Municipality>(api, "municipalities", "Муниципальные образования", search: s => m => EF.Functions.ILike(m.Name, s));
        Map<AccessGroup>(api, "access-groups", "Группы доступа", search: s => g => EF.Functions.ILike(g.Name, s));
        Map<Building>(api, "buildings", "Дома", search: s => b => EF.Functions.ILike(b.Address, s));
        Map<BuildingManagement>(api, "building-managements", "Управление домами");
        Map<Premise>(api, "premises", "Помещения", search: s => p => EF.Functions.ILike(p.Number, s));
        Map<PersonalAccount>(api, "accounts", "Лицевые счета", list: false);
        Map<Person>(api, "people", "Граждане", search: s => p => EF.Functions.ILike(p.FullName, s));
        Map<Ownership>(api, "ownerships", "Собственники");
        Map<Registration>(api, "registrations", "Регистрация граждан");
        Map<ResidentCount>(api, "resident-counts", "Число проживающих");
        Map<TemporaryAbsence>(api, "temporary-absences", "Временное отсутствие");
        Map<Service>(api, "services", "Услуги", search: s => x => EF.Functions.ILike(x.Name, s) || EF.Functions.ILike(x.Code, s));
        Map<BuildingServiceMethod>(api, "building-service-methods", "Способы расчёта услуг");
        Map<ServiceContract>(api, "service-contracts", "Поставщики услуг по домам");
        Map<Tariff>(api, "tariffs", "Тарифы");
        Map<ConsumptionNorm>(api, "norms", "Нормативы потребления", search: s => n => EF.Functions.ILike(n.Category, s));
        Map<KeyRate>(api, "key-rates", "Ключевая ставка");
        Map<Meter>(api, "meters", "Приборы учёта", search: s => m => EF.Functions.ILike(m.SerialNumber, s));
        Map<MeterReading>(api, "meter-readings", "Показания приборов учёта");
        Map<MeterImpossibilityAct>(api, "meter-impossibility-acts", "Акты о невозможности установки ПУ");
        Map<Incident>(api, "incidents", "Перерывы и нарушения качества", search: s => i => EF.Functions.ILike(i.Document, s));
        Map<HeatingAverageVolume>(api, "heating-average-volumes", "Среднемесячный объём отопления");
    }

    public sealed record ResidentCountChange(int Count, DateOnly From, string? Basis);

    private static void Map<T>(RouteGroupBuilder api, string route, string tag, Func<string, Expression<Func<T, bool>>>? search = null, bool list = true)
        where T : class, IRegistryObject
    {
        var group = api.MapGroup("/" + route).WithTags(tag);
        if (list)
            group.MapGet("/", (OpenErcDbContext db, HttpRequest request, CancellationToken ct) => ListAsync(db, request, search, ct))
                .WithSummary($"{tag}: список с отбором, сортировкой и страницами")
                .WithDescription("Параметры: search — поиск по тексту; page, pageSize — страница; sort — поле (с «-» для убывания); " +
                                 "любое поле-ссылка (например buildingId) — отбор по значению.")
                .Produces<Page<T>>();
        group.MapGet("/{id:long}", async (long id, OpenErcDbContext db, CancellationToken ct) =>
                await db.Set<T>().AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) is { } item ? Results.Ok(item) : NotFound(tag, id))
            .WithSummary($"{tag}: карточка").Produces<T>().ProducesProblem(404);
        group.MapPost("/", async (OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                var (item, error) = await ReadAsync<T>(http, ct);
                if (error is not null) return error;
                item!.Id = 0;
                db.Add(item);
                return await SaveAsync(db, http, () => Results.Created($"/api/v1/{route}/{item.Id}", item), ct);
            })
            .WithSummary($"{tag}: создать").Accepts<T>("application/json").Produces<T>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", async (long id, OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
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
        group.MapGet("/{id:long}/history", async (long id, OpenErcDbContext db, CancellationToken ct) =>
                Results.Ok(await History.OfAsync<T>(db, id, ct)))
            .WithSummary($"{tag}: история изменений").Produces<List<AuditEntry>>();
    }

    private static async Task<IResult> ListAsync<T>(OpenErcDbContext db, HttpRequest request, Func<string, Expression<Func<T, bool>>>? search, CancellationToken ct)
        where T : class, IRegistryObject
    {
        IQueryable<T> q = db.Set<T>().AsNoTracking();
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

    private static void Stamp(OpenErcDbContext db, HttpContext http)
    {
        db.Actor = http.User.Identity?.Name ?? "оператор";
        db.Reason = http.Request.Query["reason"].ToString() is { Length: > 0 } reason ? reason : null;
    }

    private static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value),
            title: "Данные не сохранены: исправьте ошибки", type: "https://openerc.ru/problems/validation");

    private static IResult NotFound(string what, long id) =>
        TypedResults.Problem($"{what}: объект с кодом {id} не найден", statusCode: 404, title: "Не найдено");
}
