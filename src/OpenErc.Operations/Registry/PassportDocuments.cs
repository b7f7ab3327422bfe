using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

public enum PassportDocumentKind
{
    [Display(Name = "Выписка из домовой книги")] HouseBookExtract = 1,
    [Display(Name = "Поквартирная карточка (форма № 10)")] PremiseCard = 2,
    [Display(Name = "Справка о составе семьи")] FamilyComposition = 3,
    [Display(Name = "Справка об отсутствии (наличии) задолженности")] DebtStatus = 4,
    [Display(Name = "Справка с места жительства")] ResidenceCertificate = 5,
}

/// <summary>On what ground the requester receives the data (passport-and-dispatch.md §4).</summary>
public enum RequestBasis
{
    [Display(Name = "Сведения о себе")] OwnData = 1,
    [Display(Name = "Собственник помещения")] Owner = 2,
    [Display(Name = "Представитель по нотариальной доверенности")] PowerOfAttorney = 3,
    [Display(Name = "Законный представитель (родитель, опекун)")] LegalRepresentative = 4,
    [Display(Name = "Запрос органа власти")] AuthorityRequest = 5,
}

public enum DocumentChannel
{
    [Display(Name = "Приём в офисе")] Desk = 1,
    [Display(Name = "Личный кабинет")] Cabinet = 2,
    [Display(Name = "Электронная почта")] Email = 3,
}

/// <summary>
/// What the desk is asked for: the document, the account (its premise for the house book), the applicant for a family
/// certificate, who asks and on what ground, for what purpose.
/// </summary>
public sealed record DocumentRequest(PassportDocumentKind Kind, long AccountId, long? PersonId, string? Requester, string? RequesterDocument,
    RequestBasis Basis, string? BasisDetails, string? Purpose, DocumentChannel Channel = DocumentChannel.Desk);

/// <summary>A line of the journal of issued and refused documents.</summary>
public sealed record IssuedDocument(long Id, int Year, int? Number, PassportDocumentKind Kind, DateTimeOffset IssuedAt, DateOnly AsOf, long AccountId,
    string AccountNumber, string Address, string Requester, RequestBasis Basis, string? BasisDetails, DocumentChannel Channel, string Operator,
    string? Refusal, string? Sha256)
{
    /// <summary>«17/2026», the number the paper carries.</summary>
    public string NumberText => Number is { } n ? $"{n}/{Year}" : "—";
}

/// <summary>
/// The passport desk's documents (passport-and-dispatch.md §3): выписка из домовой книги, поквартирная карточка (форма
/// № 10), справка о составе семьи, справка с места жительства and справка об отсутствии (наличии) задолженности — each as of its day of issue,
/// numbered within the year of the centre (one sequence for all kinds), printed by <see cref="FormPdf"/> and journaled
/// (§4: who issued it, to whom, on what ground, through which channel, the file's SHA-256). The journal keeps the PDF
/// itself, so a reprint is the same file; it is insert-only (the database refuses UPDATE and DELETE), refusals included.
/// </summary>
/// <remarks>
/// Other residents' identity-document numbers are never printed (§4). The debt certificate reads the debt book the
/// payments are allocated by (the same one as the account card's head): principal and penalties per recipient and
/// service, with «задолженность отсутствует» only when no principal is owed and no penalty is unpaid.
/// </remarks>
public static class PassportDocuments
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    /// <summary>Validates the request, renders the document as of today and journals it under the year's next number.</summary>
    public static async Task<IssuedDocument> IssueAsync(OpenErcDbContext db, DocumentRequest request, string operatorLogin, string operatorName,
        PassportSettings settings, RegionClock clock, CancellationToken ct = default)
    {
        var facts = await LoadAsync(db, request, clock.Today, ct);
        var now = clock.Now;
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            int year = clock.Today.Year;
            // One number sequence per year: the lock (key 1229213507, "IDOC") orders concurrent issues, the unique index guards it.
            await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(1229213507, @year)", conn, tx))
            {
                lockCmd.Parameters.Add(new NpgsqlParameter<int>("year", year));
                await lockCmd.ExecuteNonQueryAsync(ct);
            }
            int number;
            await using (var next = new NpgsqlCommand("SELECT coalesce(max(number), 0) + 1 FROM issued_documents WHERE year = @year", conn, tx))
            {
                next.Parameters.Add(new NpgsqlParameter<int>("year", year));
                number = (int)(await next.ExecuteScalarAsync(ct))!;
            }
            var pdf = FormPdf.Render(Compose(facts, request, number, clock.Local(now), clock.Today, operatorName, settings));
            long id = await InsertAsync(conn, tx, facts, request, year, number, now, clock.Today, operatorLogin, null, pdf, ct);
            await tx.CommitAsync(ct);
            return (await JournalAsync(db, new JournalQuery(Id: id), ct)).Single();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Journals a refusal (§4: refusals are logged too) with its reason; no number is taken.</summary>
    public static async Task<IssuedDocument> RefuseAsync(OpenErcDbContext db, DocumentRequest request, string reason, string operatorLogin,
        RegionClock clock, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new RegistryValidationException(new() { ["refusal"] = ["Укажите причину отказа"] });
        var facts = await LoadAsync(db, request, clock.Today, ct, forRefusal: true);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            long id = await InsertAsync(conn, null, facts, request, clock.Today.Year, null, clock.Now, clock.Today, operatorLogin, reason.Trim(), null, ct);
            return (await JournalAsync(db, new JournalQuery(Id: id), ct)).Single();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The stored PDF of an issued document (a reprint is the same file), or null.</summary>
    public static async Task<(IssuedDocument Entry, byte[] Pdf)?> PdfAsync(OpenErcDbContext db, long id, CancellationToken ct = default)
    {
        var entry = (await JournalAsync(db, new JournalQuery(Id: id), ct)).SingleOrDefault();
        if (entry?.Number is null) return null;
        var pdf = await db.Database.SqlQuery<byte[]>($"SELECT pdf AS \"Value\" FROM issued_documents WHERE id = {id}").SingleAsync(ct);
        return (entry, pdf);
    }

    public sealed record JournalQuery(long? Id = null, long? AccountId = null, DateOnly? From = null, DateOnly? To = null, int Limit = 500);

    /// <summary>The journal, newest first (bounded by <see cref="JournalQuery.Limit"/>).</summary>
    public static async Task<List<IssuedDocument>> JournalAsync(OpenErcDbContext db, JournalQuery q, CancellationToken ct = default)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT d.id, d.year, d.number, d.kind, d.issued_at, d.as_of, d.account_id, a.number, b.address || ', ' ||
                       CASE WHEN p.kind = 1 THEN 'кв. ' ELSE 'пом. ' END || p.number,
                       d.requester, d.basis, d.basis_details, d.channel, d.operator, d.refusal, encode(d.sha256, 'hex')
                FROM issued_documents d
                JOIN personal_accounts a ON a.id = d.account_id
                JOIN premises p ON p.id = d.premise_id
                JOIN buildings b ON b.id = p.building_id
                WHERE (@id::bigint IS NULL OR d.id = @id) AND (@account::bigint IS NULL OR d.account_id = @account)
                  AND (@from::date IS NULL OR d.as_of >= @from) AND (@to::date IS NULL OR d.as_of <= @to)
                ORDER BY d.issued_at DESC, d.id DESC
                LIMIT @limit
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<long?>("id", q.Id) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<long?>("account", q.AccountId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("from", q.From) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("to", q.To) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", Math.Clamp(q.Limit, 1, 5000)));
            var list = new List<IssuedDocument>();
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(new IssuedDocument(r.GetInt64(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt32(2), (PassportDocumentKind)r.GetInt32(3),
                    r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateOnly>(5), r.GetInt64(6), r.GetString(7), r.GetString(8), r.GetString(9),
                    (RequestBasis)r.GetInt32(10), r.IsDBNull(11) ? null : r.GetString(11), (DocumentChannel)r.GetInt32(12), r.GetString(13),
                    r.IsDBNull(14) ? null : r.GetString(14), r.IsDBNull(15) ? null : r.GetString(15)));
            return list;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<long> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Facts facts, DocumentRequest request, int year, int? number,
        DateTimeOffset now, DateOnly asOf, string operatorLogin, string? refusal, byte[]? pdf, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO issued_documents (year, number, kind, issued_at, as_of, account_id, premise_id, person_id, subjects, requester,
                requester_document, basis, basis_details, purpose, channel, operator, refusal, sha256, pdf)
            VALUES (@year, @number, @kind, @at, @asOf, @account, @premise, @person, @subjects, @requester, @requesterDocument, @basis,
                @details, @purpose, @channel, @operator, @refusal, @sha, @pdf)
            RETURNING id
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<int>("year", year));
        cmd.Parameters.Add(new NpgsqlParameter<int?>("number", number) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter<int>("kind", (int)request.Kind));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", now.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("asOf", asOf));
        cmd.Parameters.Add(new NpgsqlParameter<long>("account", request.AccountId));
        cmd.Parameters.Add(new NpgsqlParameter<long>("premise", facts.Premise.Id));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("person", request.PersonId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("subjects", facts.Subjects.Distinct().ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("requester", request.Requester!.Trim()));
        cmd.Parameters.Add(Text("requesterDocument", request.RequesterDocument));
        cmd.Parameters.Add(new NpgsqlParameter<int>("basis", (int)request.Basis));
        cmd.Parameters.Add(Text("details", request.BasisDetails));
        cmd.Parameters.Add(Text("purpose", request.Purpose));
        cmd.Parameters.Add(new NpgsqlParameter<int>("channel", (int)request.Channel));
        cmd.Parameters.Add(new NpgsqlParameter<string>("operator", operatorLogin));
        cmd.Parameters.Add(Text("refusal", refusal));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]?>("sha", pdf is null ? null : SHA256.HashData(pdf)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]?>("pdf", pdf) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new NpgsqlParameter<string?>(name, string.IsNullOrWhiteSpace(value) ? null : value.Trim()) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };

    // ——— What a document says ———

    /// <summary>A registered person as the documents list him.</summary>
    private sealed record Resident(Registration Registration, Person Person);

    private sealed record Owner(Ownership Ownership, Person Person);

    private sealed record Facts(Organisation? Issuer, Building Building, Premise Premise, string Address, PersonalAccount Account, string? Payer,
        List<Owner> Owners, List<Resident> Registrations, Person? Applicant, DebtFacts? Debt, List<long> Subjects);

    private sealed record DebtLine(string Supplier, string Service, decimal Principal, decimal Penalties, decimal Advance);

    private sealed record DebtFacts(List<DebtLine> Lines, DateOnly? PaymentsUntil);

    private static async Task<Facts> LoadAsync(OpenErcDbContext db, DocumentRequest request, DateOnly today, CancellationToken ct, bool forRefusal = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(request.Kind)) errors["kind"] = ["Неизвестный вид документа"];
        if (!Enum.IsDefined(request.Basis)) errors["basis"] = ["Укажите, на каком основании выдаётся документ"];
        if (!Enum.IsDefined(request.Channel)) errors["channel"] = ["Неизвестный способ выдачи"];
        if (string.IsNullOrWhiteSpace(request.Requester)) errors["requester"] = ["Укажите заявителя (ФИО или наименование органа)"];
        else if (request.Requester.Length > 300) errors["requester"] = ["Заявитель длиннее 300 символов"];
        if (!forRefusal && request.Channel == DocumentChannel.Desk && string.IsNullOrWhiteSpace(request.RequesterDocument))
            errors["requesterDocument"] = ["Укажите документ, удостоверяющий личность заявителя (проверен при выдаче)"];
        if (request.Basis is RequestBasis.PowerOfAttorney or RequestBasis.AuthorityRequest && string.IsNullOrWhiteSpace(request.BasisDetails))
            errors["basisDetails"] = [request.Basis == RequestBasis.PowerOfAttorney ? "Укажите номер и дату доверенности" : "Укажите номер и дату запроса"];
        foreach (var (field, text) in new[] { ("requesterDocument", request.RequesterDocument), ("basisDetails", request.BasisDetails), ("purpose", request.Purpose) })
            if (text is { Length: > 300 }) errors[field] = ["Текст длиннее 300 символов"];

        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == request.AccountId, ct);
        if (account is null) throw new RegistryValidationException(new(errors) { ["accountId"] = [$"Лицевой счёт №{request.AccountId} не найден"] });
        var premise = await db.Premises.AsNoTracking().SingleAsync(p => p.Id == account.PremiseId, ct);
        var building = await db.Buildings.AsNoTracking().SingleAsync(b => b.Id == premise.BuildingId, ct);
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.PremiseId == premise.Id).Select(a => a.Id).ToListAsync(ct);
        // The house book is the premise's: every account of it (the rooms of a communal flat, the shares).
        var registrations = (await (
                from r in db.Registrations.AsNoTracking()
                where accounts.Contains(r.AccountId)
                join p in db.People.AsNoTracking() on r.PersonId equals p.Id
                select new { r, p }).ToListAsync(ct))
            .Select(x => new Resident(x.r, x.p)).Where(x => x.Registration.ValidFrom <= today)
            .OrderBy(x => x.Registration.ValidFrom).ThenBy(x => x.Person.BirthDate).ThenBy(x => x.Person.FullName, StringComparer.Ordinal).ToList();
        var owners = (await (
                from o in db.Ownerships.AsNoTracking()
                where accounts.Contains(o.AccountId) && o.ValidFrom <= today && (o.ValidTo == null || o.ValidTo > today)
                join p in db.People.AsNoTracking() on o.PersonId equals p.Id
                select new { o, p }).ToListAsync(ct))
            .Select(x => new Owner(x.o, x.p)).OrderByDescending(x => x.Ownership.Share).ThenBy(x => x.Person.FullName, StringComparer.Ordinal).ToList();
        var payer = await db.People.Where(p => p.Id == account.PayerPersonId).Select(p => p.FullName).SingleOrDefaultAsync(ct);
        var issuer = await db.Organisations.AsNoTracking().Where(o => o.Kind == OrganisationKind.BillingCentre).OrderBy(o => o.Id).FirstOrDefaultAsync(ct);

        Person? applicant = null;
        var subjects = new List<long>();
        switch (request.Kind)
        {
            case PassportDocumentKind.HouseBookExtract:
                subjects.AddRange(registrations.Where(x => IsCurrent(x.Registration, today)).Select(x => x.Person.Id));
                subjects.AddRange(owners.Select(o => o.Person.Id));
                break;
            case PassportDocumentKind.PremiseCard:
                subjects.AddRange(registrations.Select(x => x.Person.Id));
                subjects.AddRange(owners.Select(o => o.Person.Id));
                break;
            case PassportDocumentKind.FamilyComposition or PassportDocumentKind.ResidenceCertificate:
                applicant = registrations.FirstOrDefault(x => x.Person.Id == request.PersonId && IsCurrent(x.Registration, today))?.Person;
                if (request.PersonId is null) errors["personId"] = ["Укажите гражданина, о котором выдаётся справка"];
                else if (applicant is null) errors["personId"] = [$"Гражданин не зарегистрирован в этом помещении на {today:dd.MM.yyyy}"];
                else if (request.Kind == PassportDocumentKind.ResidenceCertificate) subjects.Add(applicant.Id);
                else subjects.AddRange(registrations.Where(x => IsCurrent(x.Registration, today)).Select(x => x.Person.Id));
                break;
            case PassportDocumentKind.DebtStatus:
                if (payer is not null) subjects.Add(account.PayerPersonId!.Value);
                break;
        }
        if (!forRefusal && request.Basis == RequestBasis.Owner && owners.Count == 0)
            errors["basis"] = ["У помещения нет собственников на сегодня: основание «собственник» не подходит"];
        if (errors.Count > 0) throw new RegistryValidationException(errors);

        DebtFacts? debt = null;
        if (request.Kind == PassportDocumentKind.DebtStatus && !forRefusal) debt = await DebtAsync(db, account.Id, today, ct);
        var address = $"{building.Address}, {(premise.Kind == PremiseKind.Residential ? "кв. " : "пом. ")}{premise.Number}";
        return new Facts(issuer, building, premise, address, account, payer, owners, registrations, applicant, debt, subjects);
    }

    private static bool IsCurrent(Registration r, DateOnly day) => r.ValidFrom <= day && (r.ValidTo is null || r.ValidTo > day);

    private static async Task<DebtFacts> DebtAsync(OpenErcDbContext db, long accountId, DateOnly today, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var book = (await DebtLedger.LoadAsync(conn, [accountId], lockAccounts: false, ct)).Book(accountId, today);
            var keys = book.Chunks.Select(c => ((long?)c.SupplierId, (long?)c.ServiceId))
                .Concat(book.Advances.Select(a => (a.SupplierId, a.ServiceId))).Distinct().ToList();
            var orgIds = keys.Where(k => k.Item1 is not null).Select(k => k.Item1!.Value).Distinct().ToList();
            var serviceIds = keys.Where(k => k.Item2 is not null).Select(k => k.Item2!.Value).Distinct().ToList();
            var orgs = await db.Organisations.Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.ShortName ?? o.Name, ct);
            var services = await db.Services.Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
            var lines = keys.Select(k => new DebtLine(
                    k.Item1 is { } s ? orgs.GetValueOrDefault(s, $"Поставщик {s}") : "Аванс, не распределённый по поставщикам",
                    k.Item2 is { } v ? services.GetValueOrDefault(v, $"Услуга {v}") : "—",
                    book.Chunks.Where(c => c.SupplierId == k.Item1 && c.ServiceId == k.Item2 && !c.IsPenalty).Sum(c => c.Outstanding),
                    book.Chunks.Where(c => c.SupplierId == k.Item1 && c.ServiceId == k.Item2 && c.IsPenalty).Sum(c => c.Outstanding),
                    book.Advances.Where(a => a.SupplierId == k.Item1 && a.ServiceId == k.Item2).Sum(a => a.Amount)))
                .Where(l => l.Principal != 0 || l.Penalties != 0 || l.Advance != 0)
                .OrderBy(l => l.Supplier, StringComparer.Ordinal).ThenBy(l => l.Service, StringComparer.Ordinal).ToList();
            await using var cmd = new NpgsqlCommand("SELECT max(received_on) FROM payments WHERE received_on <= @today", conn);
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
            var until = await cmd.ExecuteScalarAsync(ct) is DateOnly d ? d : (DateOnly?)null;
            return new DebtFacts(lines, until);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Whether the certificate may say «задолженность отсутствует» (§3.4): no principal owed and no penalty unpaid.</summary>
    public static bool NoDebt(IEnumerable<(decimal Principal, decimal Penalties)> lines) => lines.All(l => l.Principal <= 0 && l.Penalties <= 0);

    private static FormDocument Compose(Facts f, DocumentRequest request, int number, DateTimeOffset now, DateOnly today, string signer, PassportSettings settings)
    {
        string issuer = f.Issuer is { } o ? o.Name : "Единый расчётный центр";
        var fields = new List<FormField> { new("Адрес помещения", f.Address) };
        var tables = new List<FormTable>();
        var intro = new List<string>();
        var notes = new List<string>();
        string title = request.Kind.Title();
        switch (request.Kind)
        {
            case PassportDocumentKind.HouseBookExtract:
            case PassportDocumentKind.PremiseCard:
                fields.Add(new("Вид помещения", f.Premise.IsCommunalFlat ? "коммунальная квартира" : f.Premise.Kind.Title().ToLowerInvariant()));
                if (f.Premise.Rooms is { } rooms) fields.Add(new("Количество комнат", rooms.ToString(Ru)));
                fields.Add(new("Общая площадь, м²", Area(f.Premise.TotalArea)));
                fields.Add(new("Жилая площадь, м²", Area(f.Premise.LivingArea)));
                fields.Add(new("Собственники", f.Owners.Count == 0 ? "сведений о собственниках нет"
                    : string.Join("; ", f.Owners.Select(x => $"{x.Person.FullName} — доля {Share(x.Ownership.Share)}" +
                                                             (x.Ownership.Document is { } doc ? $", {doc}" : "")))));
                if (request.Kind == PassportDocumentKind.HouseBookExtract)
                {
                    var current = f.Registrations.Where(x => IsCurrent(x.Registration, today)).ToList();
                    tables.Add(new FormTable("Зарегистрированы в помещении",
                        [new("№", 4, true), new("Фамилия, имя, отчество", 26), new("Дата рождения", 11), new("Отношение к собственнику", 14),
                         new("Вид регистрации", 17), new("Дата регистрации", 11), new("Прибыл(а) из", 17)],
                        current.Select((x, i) => new[]
                        {
                            (i + 1).ToString(Ru), x.Person.FullName, Date(x.Person.BirthDate), x.Registration.Relation ?? "—",
                            x.Registration.Kind == RegistrationKind.Temporary
                                ? $"по месту пребывания до {Date(x.Registration.ValidTo?.AddDays(-1))}" : "по месту жительства",
                            Date(x.Registration.ValidFrom), x.Registration.ArrivedFrom ?? "—",
                        }).ToList(), "В помещении никто не зарегистрирован."));
                    notes.Add($"Всего зарегистрировано: по месту жительства — {current.Count(x => x.Registration.Kind == RegistrationKind.Permanent)}, " +
                              $"по месту пребывания — {current.Count(x => x.Registration.Kind == RegistrationKind.Temporary)}.");
                }
                else
                {
                    tables.Add(new FormTable("Лица, зарегистрированные в помещении (вся история)",
                        [new("№", 4, true), new("Фамилия, имя, отчество", 24), new("Отношение", 11), new("Дата рождения", 11),
                         new("Регистрация", 17), new("Снят(а) с учёта, причина", 19), new("Отметки", 14)],
                        f.Registrations.Select((x, i) => new[]
                        {
                            (i + 1).ToString(Ru), x.Person.FullName, x.Registration.Relation ?? "—", Date(x.Person.BirthDate),
                            $"с {Date(x.Registration.ValidFrom)}" + (x.Registration.Kind == RegistrationKind.Temporary ? $", по месту пребывания до {Date(x.Registration.ValidTo?.AddDays(-1))}" : ", по месту жительства"),
                            x.Registration.EndReason is { } why ? $"{Date(x.Registration.ValidTo?.AddDays(-1))}, {why.Title().ToLowerInvariant()}"
                                : x.Registration.ValidTo is { } to && to <= today ? Date(to.AddDays(-1)) : "—",
                            string.Join("; ", new[] { x.Registration.ArrivedFrom is { } a ? $"прибыл(а) из: {a}" : null,
                                x.Registration.DepartedTo is { } d ? $"выбыл(а) в: {d}" : null }.Where(s => s is not null)) is { Length: > 0 } marks ? marks : "—",
                        }).ToList(), "Регистраций в помещении не было."));
                }
                break;
            case PassportDocumentKind.FamilyComposition or PassportDocumentKind.ResidenceCertificate:
                var applicant = f.Registrations.First(x => x.Person.Id == f.Applicant!.Id && IsCurrent(x.Registration, today));
                intro.Add($"Дана {f.Applicant!.FullName}, {Date(f.Applicant.BirthDate)} г. р., в том, что он(а) зарегистрирован(а) " +
                          $"{(applicant.Registration.Kind == RegistrationKind.Temporary ? "по месту пребывания" : "по месту жительства")} по адресу: " +
                          $"{f.Address} с {Date(applicant.Registration.ValidFrom)}.");
                if (request.Kind == PassportDocumentKind.ResidenceCertificate)
                {
                    if (applicant.Registration.Kind == RegistrationKind.Temporary)
                        intro.Add($"Срок регистрации по месту пребывания — по {Date(applicant.Registration.ValidTo?.AddDays(-1))}.");
                    break;
                }
                var family = f.Registrations.Where(x => IsCurrent(x.Registration, today) && x.Person.Id != f.Applicant.Id).ToList();
                tables.Add(new FormTable("Совместно с ним (ней) зарегистрированы",
                    [new("№", 4, true), new("Фамилия, имя, отчество", 36), new("Отношение к собственнику", 18), new("Дата рождения", 14), new("Дата регистрации", 14)],
                    family.Select((x, i) => new[] { (i + 1).ToString(Ru), x.Person.FullName, x.Registration.Relation ?? "—", Date(x.Person.BirthDate), Date(x.Registration.ValidFrom) })
                        .ToList(), "Совместно с заявителем никто не зарегистрирован."));
                notes.Add($"Всего зарегистрировано в помещении: {family.Count + 1}.");
                break;
            case PassportDocumentKind.DebtStatus:
                fields.Add(new("Лицевой счёт", f.Account.Number));
                fields.Add(new("Плательщик", f.Payer ?? "—"));
                var debt = f.Debt!;
                tables.Add(new FormTable("Расчёты по лицевому счёту",
                    [new("Получатель платежа", 26), new("Услуга", 26), new("Долг, ₽", 14, true), new("Пени, ₽", 12, true), new("Аванс, ₽", 12, true)],
                    debt.Lines.Select(l => new[] { l.Supplier, l.Service, Money(l.Principal), Money(l.Penalties), Money(l.Advance) }).ToList(),
                    "Начислений и платежей нет."));
                decimal principal = debt.Lines.Sum(l => l.Principal), penalties = debt.Lines.Sum(l => l.Penalties);
                notes.Add(NoDebt(debt.Lines.Select(l => (l.Principal, l.Penalties)))
                    ? $"Задолженность по оплате жилищно-коммунальных услуг на {Date(today)} отсутствует."
                    : $"Задолженность на {Date(today)}: основной долг {Money(principal)} ₽, пени {Money(penalties)} ₽.");
                notes.Add(debt.PaymentsUntil is { } until ? $"Платежи учтены по {Date(until)}." : "Платежи не поступали.");
                break;
        }
        var footer = new List<string>();
        if (!string.IsNullOrWhiteSpace(request.Purpose)) footer.Add($"Выдана для представления: {request.Purpose.Trim()}.");
        footer.Add(request.Kind == PassportDocumentKind.DebtStatus
            ? $"Сведения действительны на {Date(today)}."
            : settings.ValidityDays is { } days ? $"Действительна до {Date(today.AddDays(days))}." : "Сведения по состоянию на дату выдачи.");
        footer.Add($"Источник сведений: база данных регистрационного учёта {issuer}.");
        string numberLine = $"№ {number}/{today.Year} от {Date(today)}, {now.ToString("HH:mm", Ru)} · по состоянию на {Date(today)}";
        return new FormDocument(issuer, f.Issuer?.LegalAddress, title, numberLine, fields, intro, tables, notes, footer, signer, settings.Seal);
    }

    private static string Date(DateOnly? d) => ReceiptPdf.Date(d);
    private static string Area(decimal? a) => a is { } v ? v.ToString("0.0", Ru) : "—";
    private static string Money(decimal a) => ReceiptPdf.Money(a);

    /// <summary>A share as owners read it: ½ as «1/2», ⅓ as «1/3», else its decimal.</summary>
    private static string Share(decimal share)
    {
        if (share == 1m) return "1";
        for (int d = 2; d <= 1000; d++)
        {
            var n = share * d;
            if (Math.Abs(n - Math.Round(n)) < 0.0000005m * d) return $"{Math.Round(n)}/{d}";
        }
        return share.ToString("0.######", Ru);
    }
}
