using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Exchange.Legacy;
using OpenErc.Operations.Billing;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>
/// How an import places what the source does not say: the region's name, the municipality of houses whose ОКТМО is
/// unknown, and the service (code) and supplier (ИНН) an account's balance goes to when the source does not divide it by
/// service (Квадо's <c>saldo</c>) — without them such a balance is reported, not brought.
/// </summary>
public sealed record LegacyImportOptions(string Source, string Region, long? MunicipalityId = null, bool DryRun = false, string? BalanceService = null,
    string? BalanceSupplierInn = null);

/// <summary>What an import did (or, dry, would do): objects created and changed by kind, the refusals with their places, the warnings.</summary>
public sealed record LegacyImportReport(bool Applied, IReadOnlyDictionary<string, int> Created, IReadOnlyDictionary<string, int> Changed,
    IReadOnlyList<LegacyError> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// Loads an earlier system's region (<see cref="LegacyRegion"/>, from any format of <c>OpenErc.Exchange.Legacy</c>) into the
/// registry in one transaction: all of it, or — on any refusal — nothing. Each object is keyed by the source's id
/// (<c>legacy_keys</c>), so the same file again changes nothing and a later one updates what changed, through the
/// audited registry with «Импорт из …» as the reason. An account gets the centre's own number and keeps the source's
/// (and its old one, its ЕЛС and ИЖКУ) as its other numbers; owners with their shares, registrations with their ends,
/// the number residing, meters with their readings follow. Opening balances enter the ledger of the open month as
/// <see cref="ChargeLineKind.OpeningBalance"/> lines per account × service × supplier (a later file brings only the
/// difference); past charges and payments are kept as read-only history (<c>legacy_charges</c>, <c>legacy_payments</c>).
/// </summary>
public static class LegacyImport
{
    public static async Task<LegacyImportReport> ApplyAsync(OpenErcDbContext db, LegacyRegion region, LegacyImportOptions options, RegionClock clock,
        CancellationToken ct = default)
    {
        var run = new Run(db, options, clock);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Actor = "импорт";
        db.Reason = $"Импорт из {options.Source}";
        await run.LoadKeysAsync(ct);
        await run.HousesAsync(region, ct);
        if (run.Errors.Count == 0) await run.MetersAsync(region, ct);
        if (run.Errors.Count == 0) await run.HistoryAsync(region, ct);
        if (run.Errors.Count == 0) await run.BalancesAsync(region, ct);
        bool apply = run.Errors.Count == 0 && !options.DryRun;
        if (apply) await tx.CommitAsync(ct);
        else await tx.RollbackAsync(ct);
        db.ChangeTracker.Clear();
        return new LegacyImportReport(apply, run.Created, run.Changed, run.Errors, run.Warnings);
    }

    /// <summary>How the report names the objects it counts.</summary>
    private static readonly Dictionary<Type, string> Names = new()
    {
        [typeof(Building)] = "Дома", [typeof(Premise)] = "Помещения", [typeof(PersonalAccount)] = "Лицевые счета", [typeof(Person)] = "Граждане",
        [typeof(Ownership)] = "Собственники", [typeof(Registration)] = "Регистрации", [typeof(ResidentCount)] = "Число проживающих",
        [typeof(AccountAlias)] = "Другие номера счетов", [typeof(Meter)] = "Приборы учёта", [typeof(MeterReading)] = "Показания",
        [typeof(IdentityDocument)] = "Документы",
    };

    /// <summary>Our kind of an identity document by the source's name of it (Квадо's list, exchange.md §5.1); the rest are «Иной документ».</summary>
    private static IdentityDocumentKind DocumentKind(string kind) => kind.Trim().ToLowerInvariant() switch
    {
        "паспорт гражданина рф" => IdentityDocumentKind.RussianPassport,
        "свидетельство о рождении" => IdentityDocumentKind.BirthCertificate,
        "паспорт гражданина иностранного государства" => IdentityDocumentKind.ForeignPassport,
        "вид на жительство иностранного гражданина или лица без гражданства" => IdentityDocumentKind.ResidencePermit,
        "разрешение на временное проживание в рф" => IdentityDocumentKind.TemporaryResidencePermit,
        _ => IdentityDocumentKind.Other,
    };

    private const string BalanceName = "Входящее сальдо", ChargesName = "Начисления прежней системы", PaymentsName = "Оплаты прежней системы";

    private sealed class Run(OpenErcDbContext db, LegacyImportOptions options, RegionClock clock)
    {
        public List<LegacyError> Errors { get; } = [];
        public List<string> Warnings { get; } = [];
        public Dictionary<string, int> Created { get; } = [];
        public Dictionary<string, int> Changed { get; } = [];
        private readonly Dictionary<(string Kind, string Id), long> _keys = [];
        private readonly List<(string Kind, string Id, object Entity)> _new = [];
        private long _serial;

        private NpgsqlConnection Conn => (NpgsqlConnection)db.Database.GetDbConnection();
        private NpgsqlTransaction Tx => (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();

        public async Task LoadKeysAsync(CancellationToken ct)
        {
            // One import of a source at a time: a second waits, then sees the first's keys and changes only what differs.
            await using (var serial = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('legacy-import:' || @s))", Conn, Tx))
            {
                serial.Parameters.Add(new NpgsqlParameter<string>("s", options.Source));
                await serial.ExecuteNonQueryAsync(ct);
            }
            await using var cmd = new NpgsqlCommand("SELECT kind, legacy_id, object_id FROM legacy_keys WHERE source = @s", Conn, Tx);
            cmd.Parameters.Add(new NpgsqlParameter<string>("s", options.Source));
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) _keys[(r.GetString(0), r.GetString(1))] = r.GetInt64(2);
            await using var max = new NpgsqlCommand("SELECT coalesce(max(left(number, 9)::bigint), 0) FROM personal_accounts", Conn, Tx);
            _serial = (long)(await max.ExecuteScalarAsync(ct))!;
        }

        /// <summary>The object of the source's id: the one stored before (tracked, to be compared), or a new one to add.</summary>
        private async Task<T> ObjectAsync<T>(string kind, string id, CancellationToken ct) where T : class, IRegistryObject, new()
        {
            if (_keys.TryGetValue((kind, id), out long objectId) && await db.Set<T>().FindAsync([objectId], ct) is { } stored) return stored;
            var created = new T();
            db.Add(created);
            _new.Add((kind, id, created));
            return created;
        }

        /// <summary>Validates and saves what was added and changed, counts it, and keys the new objects by the source's ids.</summary>
        private async Task SaveAsync(CancellationToken ct)
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList())
            {
                string place = _new.FirstOrDefault(n => ReferenceEquals(n.Entity, entry.Entity)) is { Entity: not null } n ? $"{n.Kind} {n.Id}" : entry.Entity.GetType().Name;
                foreach (var (field, messages) in RegistryValidation.Validate(entry.Entity))
                    Errors.Add(new LegacyError(place, $"{field}: {string.Join(" ", messages)}"));
                var counts = entry.State == EntityState.Added ? Created : Changed;
                string name = Names.GetValueOrDefault(entry.Entity.GetType(), entry.Entity.GetType().Name);
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
            if (Errors.Count > 0) return;
            await db.SaveChangesAsync(ct);
            foreach (var (kind, id, entity) in _new)
            {
                long objectId = ((IRegistryObject)entity).Id;
                _keys[(kind, id)] = objectId;
                await using var cmd = new NpgsqlCommand("INSERT INTO legacy_keys (source, kind, legacy_id, object_id) VALUES (@s, @k, @i, @o)", Conn, Tx);
                cmd.Parameters.Add(new NpgsqlParameter<string>("s", options.Source));
                cmd.Parameters.Add(new NpgsqlParameter<string>("k", kind));
                cmd.Parameters.Add(new NpgsqlParameter<string>("i", id));
                cmd.Parameters.Add(new NpgsqlParameter<long>("o", objectId));
                await cmd.ExecuteNonQueryAsync(ct);
            }
            _new.Clear();
        }

        public async Task HousesAsync(LegacyRegion region, CancellationToken ct)
        {
            var municipalities = await db.Municipalities.AsNoTracking().ToListAsync(ct);
            foreach (var h in region.Houses)
            {
                long? municipality = municipalities.FirstOrDefault(m => h.Oktmo is not null && m.Oktmo == h.Oktmo)?.Id
                                     ?? options.MunicipalityId ?? (municipalities.Count == 1 ? municipalities[0].Id : null);
                if (municipality is null)
                {
                    Errors.Add(new(h.Place, $"Не найдено муниципальное образование с ОКТМО «{h.Oktmo}»: укажите его для импорта"));
                    continue;
                }
                var b = await ObjectAsync<Building>("house", h.Id, ct);
                b.MunicipalityId = b.Id == 0 ? municipality.Value : b.MunicipalityId;
                if (b.Id == 0) b.Region = options.Region;
                b.Settlement = h.Settlement ?? b.Settlement;
                b.Street = h.Street;
                b.House = h.House;
                b.Block = h.Block;
                b.Address = Building.FormatAddress(b.Settlement, b.Street, b.House, b.Block);
                b.FiasGuid = h.FiasGuid ?? b.FiasGuid;
                b.CadastralNumber = h.CadastralNumber ?? b.CadastralNumber;
                b.Entrances = h.Entrances;
                b.Floors = h.Floors;
                b.ResidentialArea = h.Premises.Where(p => p.Residential).Sum(p => p.TotalArea);
                b.NonResidentialArea = h.Premises.Where(p => !p.Residential).Sum(p => p.TotalArea);
                b.TotalArea = Math.Max(b.TotalArea, b.ResidentialArea + b.NonResidentialArea);
            }
            await SaveAsync(ct);
            if (Errors.Count > 0) return;
            foreach (var h in region.Houses)
                foreach (var p in h.Premises)
                {
                    var premise = await ObjectAsync<Premise>("premise", p.Id, ct);
                    premise.BuildingId = _keys[("house", h.Id)];
                    premise.Number = p.Number;
                    premise.Kind = p.Residential ? PremiseKind.Residential : PremiseKind.NonResidential;
                    premise.IsCommunalFlat = p.CommunalFlat;
                    premise.TotalArea = p.TotalArea;
                    premise.LivingArea = p.LivingArea;
                    premise.Rooms = p.Rooms;
                    premise.Entrance = p.Entrance;
                    premise.Floor = p.Floor;
                    premise.CadastralNumber = p.CadastralNumber;
                }
            await SaveAsync(ct);
            if (Errors.Count == 0) await AccountsAsync(region, ct);
        }

        private async Task AccountsAsync(LegacyRegion region, CancellationToken ct)
        {
            var premises = region.Houses.SelectMany(h => h.Premises).ToList();
            foreach (var p in premises)
                foreach (var a in p.Accounts)
                {
                    var account = await ObjectAsync<PersonalAccount>("account", a.Id, ct);
                    if (account.Id == 0) account.Number = AccountNumber.Create(++_serial);
                    account.PremiseId = _keys[("premise", p.Id)];
                    account.OpenedOn = a.OpenedOn;
                    account.ClosedOn = a.ClosedOn;
                    // The share of the premise: the area the source calculated by, or an equal part among its accounts.
                    account.Share = a.Area is { } area && area > 0 && area < p.TotalArea ? decimal.Round(area / p.TotalArea, 6)
                        : p.Accounts.Count(x => x.ClosedOn is null) is > 1 and var open && a.ClosedOn is null ? decimal.Round(1m / open, 6) : 1m;
                    foreach (var r in a.Residents)
                    {
                        var person = await ObjectAsync<Person>("person", r.Id, ct);
                        (person.LastName, person.FirstName, person.MiddleName) = (r.Person.LastName, r.Person.FirstName, r.Person.MiddleName);
                        person.BirthDate = r.Person.BirthDate ?? person.BirthDate;
                        person.Sex = r.Person.Male is { } male ? male ? Sex.Male : Sex.Female : person.Sex;
                        person.Snils = r.Person.Snils ?? person.Snils;
                        person.Phone = r.Person.Phone ?? person.Phone;
                        person.Email = r.Person.Email ?? person.Email;
                    }
                }
            await SaveAsync(ct);
            if (Errors.Count > 0) return;
            foreach (var a in premises.SelectMany(p => p.Accounts))
            {
                long accountId = _keys[("account", a.Id)];
                if (a.Residents.FirstOrDefault(r => r.MainPayer) is { } payer)
                    (await db.Accounts.FindAsync([accountId], ct))!.PayerPersonId = _keys[("person", payer.Id)];
                foreach (var (kind, number) in new[] { (AliasKind.Legacy, a.Number), (AliasKind.Legacy, a.OldNumber), (AliasKind.Unified, a.UnifiedNumber),
                             (AliasKind.ServiceId, a.ServiceId) })
                    if (!string.IsNullOrWhiteSpace(number)) await AliasAsync(a, accountId, kind, number, ct);
                foreach (var r in a.Residents)
                {
                    long person = _keys[("person", r.Id)];
                    if (r.Person.Document is { } d)
                    {
                        var document = await ObjectAsync<IdentityDocument>("document", r.Id, ct);
                        document.PersonId = person;
                        document.Kind = DocumentKind(d.Kind);
                        (document.Series, document.Number, document.IssuedBy, document.DivisionCode, document.IssuedOn) =
                            (d.Series, d.Number, d.IssuedBy, d.DivisionCode, d.IssuedOn);
                    }
                    if (r.Owner)
                    {
                        var own = await ObjectAsync<Ownership>("ownership", r.Id, ct);
                        (own.AccountId, own.PersonId) = (accountId, person);
                        own.Share = r.Share is { } s ? decimal.Round(s.Value, 6) : 1m;
                        own.ValidFrom = r.Registration?.From is { } from && from < a.OpenedOn ? from : a.OpenedOn;
                        own.ValidTo = a.ClosedOn;
                        own.Document ??= r.Share is { } share ? $"Доля {share} (импорт из {options.Source})" : $"Импорт из {options.Source}";
                    }
                    if (r.Registration is { } reg)
                    {
                        var registration = await ObjectAsync<Registration>("registration", r.Id, ct);
                        (registration.AccountId, registration.PersonId) = (accountId, person);
                        registration.Kind = reg.Permanent ? RegistrationKind.Permanent : RegistrationKind.Temporary;
                        (registration.ValidFrom, registration.ValidTo) = (reg.From, reg.To);
                        registration.EndReason = reg.To is null ? null : EndReason(reg);
                        registration.Relation = r.Relation;
                        (registration.ArrivedFrom, registration.DepartedTo) = (reg.ArrivedFrom, reg.DepartedTo);
                    }
                }
                if (a.Residing is { } residing && !await db.ResidentCounts.AnyAsync(c => c.AccountId == accountId, ct))
                {
                    db.ResidentCounts.Add(new ResidentCount { AccountId = accountId, Count = residing, ValidFrom = a.OpenedOn, Basis = $"Импорт из {options.Source}" });
                }
            }
            await SaveAsync(ct);
        }

        private async Task AliasAsync(LegacyAccount a, long accountId, AliasKind kind, string number, CancellationToken ct)
        {
            string normal = AccountAlias.Normalize(number);
            var stored = await db.AccountAliases.FirstOrDefaultAsync(x => x.Number == normal, ct)
                         ?? db.AccountAliases.Local.FirstOrDefault(x => x.Number == normal);
            if (stored is not null)
            {
                if (stored.AccountId != accountId) Errors.Add(new(a.Place, $"Номер «{normal}» уже принадлежит другому лицевому счёту"));
                return;
            }
            if (await db.Accounts.AnyAsync(x => x.Number == normal && x.Id != accountId, ct))
            {
                Errors.Add(new(a.Place, $"Номер «{normal}» совпадает с номером другого лицевого счёта ЕРЦ"));
                return;
            }
            db.AccountAliases.Add(new AccountAlias { AccountId = accountId, Kind = kind, Number = normal, Source = options.Source });
        }

        private static DeregistrationReason EndReason(LegacyRegistration r) => r.EndReason?.ToLowerInvariant() switch
        {
            "выехал" => r.Permanent ? DeregistrationReason.MovedOut : DeregistrationReason.TemporaryLeftEarly,
            "умер" => DeregistrationReason.Died,
            { } t when t.StartsWith("окончание временной", StringComparison.Ordinal) => DeregistrationReason.TemporaryTermExpired,
            { } t when t.StartsWith("выписан на основании решения суда", StringComparison.Ordinal) => DeregistrationReason.CourtEviction,
            null when !r.Permanent => DeregistrationReason.TemporaryTermExpired,
            _ => DeregistrationReason.Legacy,
        };

        public async Task MetersAsync(LegacyRegion region, CancellationToken ct)
        {
            var premiseBuilding = region.Houses.SelectMany(h => h.Premises.Select(p => (p.Id, House: h.Id))).ToDictionary(x => x.Id, x => x.House);
            var meters = new List<(LegacyMeter Source, Meter Meter)>();
            foreach (var m in region.Meters)
            {
                string? house = m.PremiseId is { } p ? premiseBuilding.GetValueOrDefault(p) : m.HouseId;
                if (house is null || !_keys.ContainsKey(("house", house)) || m.PremiseId is { } pid && !_keys.ContainsKey(("premise", pid)))
                {
                    Errors.Add(new(m.Place, m.PremiseId is { } missing ? $"Помещение {missing} прибора не найдено в файле домов" : $"Дом {m.HouseId} прибора не найден в файле домов"));
                    continue;
                }
                var meter = await ObjectAsync<Meter>("meter", m.Id, ct);
                meter.BuildingId = _keys[("house", house)];
                meter.PremiseId = m.PremiseId is { } premise ? _keys[("premise", premise)] : null;
                meter.Kind = m.PremiseId is null ? MeterKind.CommonHouse : MeterKind.Individual;
                if (m.RoomId is { } room)
                {
                    // A room meter of a communal flat serves the account bound to its room.
                    var bound = region.Houses.SelectMany(h => h.Premises).Where(p => p.Id == m.PremiseId).SelectMany(p => p.Accounts)
                        .FirstOrDefault(a => a.RoomId == room && a.ClosedOn is null);
                    if (bound is null)
                    {
                        Errors.Add(new(m.Place, $"Нет открытого лицевого счёта комнаты {room} для комнатного прибора"));
                        continue;
                    }
                    (meter.Kind, meter.AccountId) = (MeterKind.CommunalFlat, _keys[("account", bound.Id)]);
                }
                meter.Resource = m.Resource switch
                {
                    "ХВС" => Resource.ColdWater,
                    "ГВС" => Resource.HotWater,
                    "Газ" => Resource.Gas,
                    "Отопление" => Resource.Heat,
                    _ => Resource.Electricity,
                };
                (meter.Zones, meter.Digits, meter.SerialNumber, meter.Model) = (m.Zones, m.Digits, m.Serial, m.Model);
                (meter.InstalledOn, meter.SealedOn, meter.NextVerificationOn, meter.RemovedOn) = (m.InstalledOn, m.SealedOn, m.NextVerificationOn, m.RemovedOn);
                meters.Add((m, meter));
            }
            await SaveAsync(ct);
            if (Errors.Count > 0) return;
            foreach (var (m, meter) in meters)
            {
                var stored = (await db.MeterReadings.AsNoTracking().Where(r => r.MeterId == meter.Id).Select(r => new { r.Zone, r.ReadOn }).ToListAsync(ct))
                    .Select(r => (r.Zone, r.ReadOn)).ToHashSet();
                foreach (var r in m.Readings.Where(r => stored.Add((r.Zone, r.On))))
                    db.MeterReadings.Add(new MeterReading
                    {
                        MeterId = meter.Id, Zone = r.Zone, ReadOn = r.On, Value = r.Value, Source = ReadingSource.Import, EnteredBy = "импорт", EnteredAt = clock.Now,
                    });
            }
            await SaveAsync(ct);
        }

        private void Count(Dictionary<string, int> counts, string name, int n)
        {
            if (n > 0) counts[name] = counts.GetValueOrDefault(name) + n;
        }

        /// <summary>The centre's account of a source's account id, or an error at the record's place.</summary>
        private long? Account(string place, string id)
        {
            if (_keys.TryGetValue(("account", id), out long account)) return account;
            Errors.Add(new(place, $"Лицевой счёт с кодом «{id}» не найден среди лицевых счетов файла"));
            return null;
        }

        /// <summary>Past charges and payments, read-only: added once by their source ids, a row that differs is corrected.</summary>
        public async Task HistoryAsync(LegacyRegion region, CancellationToken ct)
        {
            var charges = region.Charges.Select(c => (c, Account: Account(c.Place, c.AccountId))).ToList();
            var payments = region.Payments.Select(p => (p, Account: Account(p.Place, p.AccountId))).ToList();
            if (Errors.Count > 0) return;
            const string counted = "RETURNING (xmax = 0)";
            if (charges.Count > 0)
            {
                await using var cmd = new NpgsqlCommand($"""
                    INSERT INTO legacy_charges AS t (source, legacy_id, account_id, month, service, method, zone, rate, volume, amount, recalculation, benefit)
                    SELECT @s, * FROM unnest(@id, @account, @month, @service, @method, @zone, @rate, @volume, @amount, @recalc, @benefit)
                    ON CONFLICT (source, legacy_id) DO UPDATE SET account_id = excluded.account_id, month = excluded.month, service = excluded.service,
                        method = excluded.method, zone = excluded.zone, rate = excluded.rate, volume = excluded.volume, amount = excluded.amount,
                        recalculation = excluded.recalculation, benefit = excluded.benefit
                    WHERE (t.account_id, t.month, t.service, t.method, t.zone, t.rate, t.volume, t.amount, t.recalculation, t.benefit)
                          IS DISTINCT FROM (excluded.account_id, excluded.month, excluded.service, excluded.method, excluded.zone, excluded.rate,
                                            excluded.volume, excluded.amount, excluded.recalculation, excluded.benefit)
                    {counted}
                    """, Conn, Tx);
                cmd.Parameters.Add(new NpgsqlParameter<string>("s", options.Source));
                cmd.Parameters.Add(new NpgsqlParameter<string[]>("id", charges.Select(x => x.c.Id).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<long[]>("account", charges.Select(x => x.Account!.Value).ToArray()));
                cmd.Parameters.Add(MonthsParameter("month", charges.Select(x => Month(x.c.Month))));
                cmd.Parameters.Add(new NpgsqlParameter<string[]>("service", charges.Select(x => x.c.Service).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<string?[]>("method", charges.Select(x => x.c.Method).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<string?[]>("zone", charges.Select(x => x.c.Zone).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<decimal?[]>("rate", charges.Select(x => x.c.Rate).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<decimal?[]>("volume", charges.Select(x => x.c.Volume).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("amount", charges.Select(x => x.c.Amount).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("recalc", charges.Select(x => x.c.Recalculation).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("benefit", charges.Select(x => x.c.Benefit).ToArray()));
                await CountAsync(cmd, ChargesName, ct);
            }
            if (payments.Count > 0)
            {
                await using var cmd = new NpgsqlCommand($"""
                    INSERT INTO legacy_payments AS t (source, legacy_id, account_id, paid_on, amount, month, number, agent, comment)
                    SELECT @s, * FROM unnest(@id, @account, @on, @amount, @month, @number, @agent, @comment)
                    ON CONFLICT (source, legacy_id) DO UPDATE SET account_id = excluded.account_id, paid_on = excluded.paid_on, amount = excluded.amount,
                        month = excluded.month, number = excluded.number, agent = excluded.agent, comment = excluded.comment
                    WHERE (t.account_id, t.paid_on, t.amount, t.month, t.number, t.agent, t.comment)
                          IS DISTINCT FROM (excluded.account_id, excluded.paid_on, excluded.amount, excluded.month, excluded.number, excluded.agent, excluded.comment)
                    {counted}
                    """, Conn, Tx);
                cmd.Parameters.Add(new NpgsqlParameter<string>("s", options.Source));
                cmd.Parameters.Add(new NpgsqlParameter<string[]>("id", payments.Select(x => x.p.Id).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<long[]>("account", payments.Select(x => x.Account!.Value).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<DateOnly[]>("on", payments.Select(x => x.p.PaidOn).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("amount", payments.Select(x => x.p.Amount).ToArray()));
                cmd.Parameters.Add(MonthsParameter("month", payments.Select(x => x.p.Month is { } m ? Month(m) : (BillingPeriod?)null)));
                cmd.Parameters.Add(new NpgsqlParameter<string?[]>("number", payments.Select(x => x.p.Number).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<string?[]>("agent", payments.Select(x => x.p.Agent).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<string?[]>("comment", payments.Select(x => x.p.Comment).ToArray()));
                await CountAsync(cmd, PaymentsName, ct);
            }
        }

        private async Task CountAsync(NpgsqlCommand cmd, string name, CancellationToken ct)
        {
            int created = 0, changed = 0;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                if (r.GetBoolean(0)) created++;
                else changed++;
            Count(Created, name, created);
            Count(Changed, name, changed);
        }

        /// <summary>
        /// Brings the opening balances into the open month: per account × service × supplier, the source's balance less what
        /// earlier imports brought, as one <see cref="ChargeLineKind.OpeningBalance"/> line dated by the month the balance
        /// closes (the month before its day). Undivided balances go to the options' service and supplier, or are reported.
        /// </summary>
        public async Task BalancesAsync(LegacyRegion region, CancellationToken ct)
        {
            var balances = region.Balances.ToList();
            var undivided = region.Houses.SelectMany(h => h.Premises).SelectMany(p => p.Accounts).Where(a => a.Balance is not null and not 0m).ToList();
            if (options.BalanceService is { Length: > 0 } service && options.BalanceSupplierInn is { Length: > 0 } inn)
                balances.AddRange(undivided.Select(a => new LegacyBalance(a.Place, a.Id, a.BalanceOn, a.Balance!.Value, service, inn)));
            else if (undivided.Count > 0)
                Warnings.Add($"Входящее сальдо {undivided.Count} лицевых счетов не проведено: в файле оно без разбивки по услугам и поставщикам — " +
                             "укажите услугу и поставщика, на которые его отнести");
            if (balances.Count == 0) return;
            if (await BillingPeriods.OpenMonthAsync(Conn, Tx, forUpdate: false, ct, share: true) is not { } open)
            {
                Errors.Add(new(balances[0].Place, "Расчётный месяц не открыт: входящее сальдо проводится в открытый месяц"));
                return;
            }
            // A service by its code or, failing that, its name.
            var services = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            await using (var cmd = new NpgsqlCommand("SELECT id, code, name FROM services", Conn, Tx))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                {
                    services[r.GetString(1)] = r.GetInt64(0);
                    services.TryAdd(r.GetString(2), r.GetInt64(0));
                }
            var suppliers = new Dictionary<string, long>();
            await using (var cmd = new NpgsqlCommand("SELECT inn, min(id) FROM organisations WHERE inn IS NOT NULL GROUP BY inn", Conn, Tx))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) suppliers[r.GetString(0)] = r.GetInt64(1);
            var entries = new List<OpeningBalances.Entry>();
            foreach (var b in balances)
            {
                var account = Account(b.Place, b.AccountId);
                if (!services.TryGetValue(b.Service.Trim(), out var s)) Errors.Add(new(b.Place, $"Услуга «{b.Service}» не найдена в справочнике услуг"));
                if (!suppliers.TryGetValue(b.SupplierInn.Trim(), out long supplier)) Errors.Add(new(b.Place, $"Поставщик с ИНН «{b.SupplierInn}» не найден"));
                if (account is not null && s != 0 && supplier != 0) entries.Add(new(b.Place, account.Value, s, supplier, b.Amount, b.On));
            }
            if (Errors.Count > 0) return;
            Count(Created, BalanceName, await OpeningBalances.PostAsync(Conn, Tx, open, entries, options.Source, clock, Errors, ct));
        }
    }
}
