using System.Globalization;
using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Quality;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Demo;

/// <summary>The history's days: the registry's events (incidents, residents), the suppliers' transfers and the suspense queue.</summary>
internal sealed partial class DemoHistory
{
    /// <summary>Something registered on a day of the month, with the registry's own save (its archive and recalculation queue).</summary>
    private delegate Task Event(Lane lane, CancellationToken ct);

    private long[] _coldWaterBuildings = [];
    private long _coldWaterService;
    private int _journal;

    /// <summary>Suspense payments to resolve: on which day, the registry's operation id, and the account the payer meant.</summary>
    private readonly List<(DateOnly Day, string OperationId, string Number)> _resolutions = [];

    /// <summary>Transfers are prepared for the days from here on (the days before are done).</summary>
    private DateOnly _transfersFrom;

    /// <summary>Transfers sent to the bank, confirmed by its statement the next working day.</summary>
    private readonly List<long> _sent = [];

    private async Task LoadBuildingsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT s.id, array_agg(DISTINCT c.building_id ORDER BY c.building_id)
            FROM services s JOIN service_contracts c ON c.service_id = s.id WHERE s.code = 'cold_water' GROUP BY s.id
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (await r.ReadAsync(ct)) (_coldWaterService, _coldWaterBuildings) = (r.GetInt64(0), r.GetFieldValue<long[]>(1));
        _transfersFrom = _options.FirstMonth.FirstDay;
    }

    /// <summary>The registry's events of the month, from 10:00 of their days.</summary>
    private async Task EventsAsync(BillingPeriod month, List<Event>[] events, CancellationToken ct)
    {
        var lane = new Lane(_options.Zone);
        for (int d = 0; d < events.Length; d++)
            foreach (var e in events[d])
            {
                lane.At(month.FirstDay.AddDays(d), 10, 0);
                await e(lane, ct);
            }
    }

    /// <summary>
    /// The month's registry events: cold-water interruptions in a few buildings, registered by the dispatcher the day after
    /// they end (the month's run reduces the charge); every fourth month one of last month registered late (queued, and
    /// recalculated before the run); every third month a few households' residents changed from a past month by the
    /// account manager (queued likewise); every fourth month, from the second on, a few rights to benefits in kind decided
    /// by УСЗН from the month before (queued likewise); from the fourth month, the legal work on chronic debtors on the 15th.
    /// </summary>
    private List<Event>[] PlanEvents(BillingPeriod month, int index)
    {
        var events = new List<Event>[month.Days];
        for (int d = 0; d < events.Length; d++) events[d] = [];
        if (_coldWaterBuildings.Length == 0) return events;
        int interruptions = Math.Clamp(_coldWaterBuildings.Length / 40, 1, 25);
        for (int k = 0; k < interruptions; k++)
        {
            var start = month.FirstDay.AddDays(_rng.Next(0, month.Days - 3)).ToDateTime(new TimeOnly(_rng.Next(24), 0));
            var incident = Interruption(start, hours: _rng.Next(14, 49));
            // Registered the day after it ended: events[d] happen on day d + 1.
            events[DateOnly.FromDateTime(incident.EndedAt!.Value).Day].Add((lane, ct) => RegisterAsync(lane, incident, ct));
        }
        if (index % 4 == 1)
        {
            var previous = month.Previous();
            var late = Interruption(previous.FirstDay.AddDays(_rng.Next(0, previous.Days - 3)).ToDateTime(new TimeOnly(_rng.Next(24), 0)), _rng.Next(14, 49));
            events[2].Add((lane, ct) => RegisterAsync(lane, late, ct));
        }
        if (index >= 2 && index % 3 == 2) PlanResidents(month, events[4]);
        if (index % 4 == 1) PlanLateRights(month, events[9]);
        if (index >= 3) events[14].Add((lane, ct) => LegalWorkAsync(lane, month, ct));
        return events;
    }

    private Incident Interruption(DateTime start, int hours) => new()
    {
        BuildingId = _coldWaterBuildings[_rng.Next(_coldWaterBuildings.Length)], ServiceId = _coldWaterService, Kind = IncidentKind.Interruption,
        StartedAt = start, EndedAt = start.AddHours(hours),
        Document = string.Create(CultureInfo.InvariantCulture, $"Журнал аварийно-диспетчерской службы, запись №{++_journal}"),
    };

    private async Task RegisterAsync(Lane lane, Incident incident, CancellationToken ct)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(_cs), lane.Clock)
        {
            Actor = Dispatcher, Reason = "Перерыв в подаче холодной воды (авария на сети)",
        };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A few households whose residents changed from the first day of one of the two previous months, told late.</summary>
    private void PlanResidents(BillingPeriod month, List<Event> day)
    {
        int changes = Math.Clamp(_payers.Length / 400, 2, 40);
        for (int k = 0, tries = 0; k < changes && tries < changes * 20; tries++)
        {
            int i = _rng.Next(_payers.Length);
            var from = month.FirstDay.AddMonths(-_rng.Next(1, 3));
            bool arrived = _rng.Next(2) == 0;
            if (!_payers[i].Residential || !_payers[i].OpenOn(from) || !_payers[i].OpenOn(month.FirstDay)) continue;
            k++;
            long account = _payers[i].Id;
            day.Add((lane, ct) => ChangeResidentsAsync(lane, account, from, arrived, ct));
        }
    }

    private async Task ChangeResidentsAsync(Lane lane, long account, DateOnly from, bool arrived, CancellationToken ct)
    {
        var told = lane.Clock.Today.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(_cs), lane.Clock)
        {
            Actor = Manager,
            Reason = arrived ? "заявление собственника о вселении члена семьи" : "заявление собственника о выбытии члена семьи",
        };
        if (await Residency.ResidentsOnAsync(db, account, from, ct) is not { } count) return;
        int changed = arrived || count == 0 ? count + 1 : count - 1;
        await Residency.SetResidentCountAsync(db, account, changed, from, $"Заявление собственника от {told}", ct);
    }

    /// <summary>
    /// The month's working days' transfers to the suppliers (ПП 253: the next working day after receipt), at 09:15: the
    /// ones sent the working day before are confirmed by the bank's statement, and the days received since the last
    /// preparation are prepared and sent (a day's payment orders in one go). The month's payments are all posted by then.
    /// </summary>
    private async Task TransfersAsync(BillingPeriod month, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var lane = new Lane(_options.Zone);
        var options = lane.As(Financier);
        for (var day = month.FirstDay; day < month.End; day = day.AddDays(1))
        {
            if (Weekend(day)) continue;
            lane.At(day, 9, 15);
            if (_sent.Count > 0) await SupplierTransfers.ConfirmAsync(_cs, _sent, options, ct);
            _sent.Clear();
            var through = day.AddDays(-1);
            if (through < _transfersFrom) continue;
            var days = (await SupplierTransfers.ListAsync(_cs, _transfersFrom, through, ct: ct)).Where(t => t.Id is null).Select(t => t.Day).Distinct().Order();
            foreach (var d in days)
                _sent.AddRange((await SupplierTransfers.PrepareAsync(_cs, d, options, ct: ct)).Select(t => t.Id!.Value));
            if (_sent.Count > 0) await SupplierTransfers.SendAsync(_cs, _sent, options, ct);
            _transfersFrom = day;
        }
        Add("перечисления поставщикам", watch.Elapsed);
    }

    /// <summary>The finance officer resolves a suspense payment onto the account the payer meant (the payer called with the bank's receipt).</summary>
    private async Task ResolveAsync(Lane lane, DateOnly day, string operationId, string number, CancellationToken ct)
    {
        lane.At(day, 14, 0);
        long payment;
        await using (var conn = new NpgsqlConnection(_cs))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT id FROM payments WHERE agent_id = @agent AND agent_payment_id = @key", conn);
            cmd.Parameters.Add(new NpgsqlParameter<long>("agent", _agents.Bank));
            cmd.Parameters.Add(new NpgsqlParameter<string>("key", operationId));
            payment = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await PaymentCorrections.ResolveAsync(_cs, payment, number, "Плательщик ошибся в номере лицевого счёта: заявление с чеком банка", lane.As(Financier), ct);
    }
}
