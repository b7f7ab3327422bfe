using System.Globalization;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Operations.Payments;

namespace OpenErc.Operations.Demo;

/// <summary>The history's payers: who pays how much, when and through which channel, and the channels themselves.</summary>
internal sealed partial class DemoHistory
{
    /// <summary>The cash desk takes at most this many payments a day (one cashier, about eight minutes a payment); the rest of its payers pay at a bank.</summary>
    private const int CashDeskPerDay = 60;

    /// <summary>Cabinet card payments a day at most; the rest pay in their bank's app (the Sberbank protocol).</summary>
    private const int CabinetPerDay = 200;

    /// <summary>Online payments posted in one transaction, as the gateway's group commit posts a burst.</summary>
    private const int OnlineBatch = 5000;

    /// <summary>A payer's habit, drawn once: most pay the receipt by the due date, a few % never or rarely pay.</summary>
    private enum Habit : byte { OnTime, Late, Partial, Overpays, Rarely, Never }

    /// <summary>An account as the history's payer: its number and name, its dates, its habit and channel, and what its last receipt asks.</summary>
    private struct Payer
    {
        public long Id;
        public string Number, Name;
        public DateOnly Opened;
        public DateOnly? Closed;
        public bool Residential;
        public Habit Habit;
        public PaymentChannel Channel;

        /// <summary>The bill of the system the centre took over, paid in the first month before any charge (an advance).</summary>
        public decimal Estimate;

        /// <summary>The closing balance of the last closed month: what its receipt asks to pay (≤ 0: nothing).</summary>
        public decimal ToPay;

        public readonly bool OpenOn(DateOnly day) => Opened <= day && (Closed is null || Closed > day);
    }

    /// <summary>A payment the month will bring: who, on which day and time (local), through which channel, how much.</summary>
    private readonly record struct Planned(int Payer, DateOnly Day, TimeOnly Time, PaymentChannel Channel, decimal Amount, BillingPeriod? Period,
        Guid Order, bool Mistyped = false);

    private Payer[] _payers = [];
    private Dictionary<long, int> _payerIndex = [];

    private async Task LoadAccountsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var payers = new List<Payer>();
        await using var cmd = new NpgsqlCommand("""
            SELECT a.id, a.number, coalesce(pp.full_name, ''), a.opened_on, a.closed_on, p.total_area * a.share, p.kind = @residential
            FROM personal_accounts a JOIN premises p ON p.id = a.premise_id LEFT JOIN people pp ON pp.id = a.payer_person_id
            ORDER BY a.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("residential", (int)PremiseKind.Residential));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            payers.Add(new Payer
            {
                Id = r.GetInt64(0), Number = r.GetString(1), Name = r.GetString(2), Opened = r.GetFieldValue<DateOnly>(3),
                Closed = r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4), Residential = r.GetBoolean(6),
                // About 62 ₽ a square metre a month, in tens of roubles.
                Estimate = Math.Max(300m, decimal.Round(r.GetDecimal(5) * 6.2m, 0, MidpointRounding.AwayFromZero) * 10),
                Habit = _rng.Next(100) switch { < 64 => Habit.OnTime, < 81 => Habit.Late, < 88 => Habit.Partial, < 93 => Habit.Overpays, < 97 => Habit.Rarely, _ => Habit.Never },
                Channel = PreferredChannel(),
            });
        _payers = [.. payers];
        _payerIndex = new Dictionary<long, int>(_payers.Length);
        for (int i = 0; i < _payers.Length; i++) _payerIndex[_payers[i].Id] = i;
    }

    private PaymentChannel PreferredChannel() => _rng.Next(100) switch
    {
        < 58 => PaymentChannel.Registry, // a bank's office or app, listed in its registry
        < 78 => PaymentChannel.Sber,
        < 88 => PaymentChannel.Osmp,
        < 95 => PaymentChannel.Cabinet,
        _ => PaymentChannel.CashDesk,
    };

    /// <summary>The closing balances of the month just closed: what the next month's payers are asked to pay.</summary>
    private async Task ReadToPayAsync(BillingPeriod month, CancellationToken ct)
    {
        for (int i = 0; i < _payers.Length; i++) _payers[i].ToPay = 0;
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT account_id, sum(closing) FROM account_balances WHERE month = @m GROUP BY account_id", conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (_payerIndex.TryGetValue(r.GetInt64(0), out int i)) _payers[i].ToPay = r.GetDecimal(1);
    }

    /// <summary>The month's payments by day: each payer's habit decides whether, when and how much; the channel is its own (one month in ten another).</summary>
    private List<Planned>[] PlanPayments(BillingPeriod month, bool firstMonth)
    {
        int days = month.Days;
        var plan = new List<Planned>[days];
        for (int d = 0; d < days; d++) plan[d] = [];
        var cash = new int[days];
        var cabinet = new int[days];
        for (int i = 0; i < _payers.Length; i++)
        {
            ref readonly var payer = ref _payers[i];
            if (!Decide(payer, firstMonth ? payer.Estimate : payer.ToPay, days, out decimal amount, out int from, out int to)) continue;
            var day = month.FirstDay.AddDays(_rng.Next(from, to + 1) - 1);
            var channel = _rng.Next(10) == 0 ? PreferredChannel() : payer.Channel;
            (day, channel) = Fit(day, channel, days, cash, cabinet);
            if (!payer.OpenOn(day)) continue;
            var time = channel == PaymentChannel.CashDesk
                ? new TimeOnly(9, 30).Add(TimeSpan.FromSeconds(_rng.Next(9 * 3600)))
                : new TimeOnly(9, 0).Add(TimeSpan.FromSeconds(_rng.Next(14 * 3600)));
            // Four in ten pay a bank by the receipt's QR code, which names its month.
            BillingPeriod? period = channel == PaymentChannel.Registry && !firstMonth && _rng.Next(10) < 4 ? month.Previous() : null;
            plan[day.Day - 1].Add(new Planned(i, day, time, channel, amount, period, channel == PaymentChannel.Cabinet ? DemoGenerator.NewGuid(_rng) : default));
        }
        EnsureCashDesk(plan);
        MistypeOne(plan, days);
        return plan;
    }

    /// <summary>
    /// The cash desk takes payments every month, also in a small region whose few cash payers happened not to come (the
    /// cashier's monthly mistake lives there): the month's first bank payment on a working day is then paid at the desk.
    /// Draws nothing, so a month that has its cash payers is planned as it was.
    /// </summary>
    private static void EnsureCashDesk(List<Planned>[] plan)
    {
        if (plan.Any(d => d.Exists(p => p.Channel == PaymentChannel.CashDesk))) return;
        foreach (var payments in plan)
        {
            int i = payments.FindIndex(p => p.Channel == PaymentChannel.Registry && p.Day.DayOfWeek != DayOfWeek.Sunday);
            if (i < 0) continue;
            payments[i] = payments[i] with { Channel = PaymentChannel.CashDesk, Time = new TimeOnly(10, 0), Period = null };
            return;
        }
    }

    /// <summary>
    /// Whether the payer pays this month, how much of <paramref name="due"/> and between which days
    /// (<paramref name="from"/>–<paramref name="to"/>): on time by the 15th, late after it or not this month, part of it,
    /// more than it (an advance, and nothing while it lasts), now and then a little, or never.
    /// </summary>
    private bool Decide(in Payer payer, decimal due, int days, out decimal amount, out int from, out int to)
    {
        (amount, from, to) = (due, 1, 15);
        if (due <= 0) return false;
        switch (payer.Habit)
        {
            case Habit.OnTime:
                if (_rng.Next(100) < 4) return false; // forgot: pays both next month
                break;
            case Habit.Late:
                if (_rng.Next(100) < 15) return false;
                (from, to) = (12, days);
                break;
            case Habit.Partial:
                amount = Math.Min(due, Math.Max(100m, decimal.Floor(due * _rng.Next(40, 91) / 1000) * 10));
                (from, to) = (1, days);
                break;
            case Habit.Overpays:
                // Ahead for the next months too, in whole thousands: the advance outlasts the next month's charges and pays
                // the bills after them until it runs out.
                amount = decimal.Ceiling(due * 2.5m / 1000) * 1000;
                break;
            case Habit.Rarely:
                if (_rng.Next(100) >= 25) return false;
                amount = Math.Min(due, Math.Max(200m, decimal.Floor(due * _rng.Next(15, 46) / 10_000) * 100));
                (from, to) = (1, days);
                break;
            default:
                return false;
        }
        amount = Math.Min(amount, 1_000_000m); // the online protocols' limit
        return true;
    }

    /// <summary>
    /// Where a payment can land: the cash desk works Monday to Saturday up to <see cref="CashDeskPerDay"/> payments (its
    /// overflow pays at a bank), the cabinet takes up to <see cref="CabinetPerDay"/> (the rest pay in the bank's app), and a
    /// bank's registry of the month's last day would arrive in the next month, so that day is paid the day before.
    /// </summary>
    private static (DateOnly, PaymentChannel) Fit(DateOnly day, PaymentChannel channel, int days, int[] cash, int[] cabinet)
    {
        if (channel == PaymentChannel.CashDesk)
        {
            if (day.DayOfWeek == DayOfWeek.Sunday) day = day.Day < days ? day.AddDays(1) : day.AddDays(-1);
            if (cash[day.Day - 1] < CashDeskPerDay) cash[day.Day - 1]++;
            else channel = PaymentChannel.Registry;
        }
        if (channel == PaymentChannel.Cabinet)
        {
            if (cabinet[day.Day - 1] < CabinetPerDay) cabinet[day.Day - 1]++;
            else channel = PaymentChannel.Sber;
        }
        if (channel == PaymentChannel.Registry && day.Day == days) day = day.AddDays(-1);
        return (day, channel);
    }

    /// <summary>One registry payment a month carries an account number that does not exist: it waits in the suspense queue until resolved.</summary>
    private void MistypeOne(List<Planned>[] plan, int days)
    {
        // Early enough in the month to be resolved in it (imported by the next working day, resolved three working days after).
        var candidates = Enumerable.Range(0, days - 10).SelectMany(d => Enumerable.Range(0, plan[d].Count).Select(i => (d, i)))
            .Where(x => plan[x.d][x.i].Channel == PaymentChannel.Registry).ToList();
        if (candidates.Count == 0) return;
        var (day, index) = candidates[_rng.Next(candidates.Count)];
        plan[day][index] = plan[day][index] with { Mistyped = true };
    }

    /// <summary>
    /// The bank's registries, imported at 09:00 by the finance officer on working days and on the month's last day, each
    /// listing the payments taken since the last one up to the day before; suspense payments are resolved a few days later.
    /// </summary>
    private async Task RegistriesAsync(BillingPeriod month, List<Planned>[] plan, bool lastMonth, CancellationToken ct)
    {
        var lane = new Lane(_options.Zone);
        int listed = 0;
        for (int d = 2; d <= month.Days; d++)
        {
            var day = month.FirstDay.AddDays(d - 1);
            if (d == month.Days || !Weekend(day))
            {
                await RegistryAsync(lane, day, plan[listed..(d - 1)].SelectMany(p => p), lastMonth, ct);
                listed = d - 1;
            }
            foreach (var (_, id, number) in _resolutions.Where(r => r.Day == day).ToList()) await ResolveAsync(lane, day, id, number, ct);
        }
    }

    private static bool Weekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>The working day three days after <paramref name="day"/> or the first one after it.</summary>
    private static DateOnly ThreeWorkingDaysAfter(DateOnly day)
    {
        var on = day.AddDays(3);
        while (Weekend(on)) on = on.AddDays(1);
        return on;
    }

    private async Task RegistryAsync(Lane lane, DateOnly day, IEnumerable<Planned> payments, bool lastMonth, CancellationToken ct)
    {
        var entries = new List<RegistryEntry>();
        foreach (var p in payments.Where(p => p.Channel == PaymentChannel.Registry))
        {
            ref readonly var payer = ref _payers[p.Payer];
            var id = string.Create(CultureInfo.InvariantCulture, $"{p.Day:yyyyMMdd}{entries.Count + 1:D6}");
            var number = payer.Number;
            if (p.Mistyped)
            {
                number = AccountNumber.Create(999_000_000L + _mistyped++);
                if (!lastMonth) _resolutions.Add((ThreeWorkingDaysAfter(day), id, payer.Number));
            }
            entries.Add(new RegistryEntry(p.Day.ToDateTime(p.Time), id, number, payer.Name, p.Amount,
                decimal.Round(p.Amount * 0.012m, 2, MidpointRounding.AwayFromZero), p.Period,
                Terminal: string.Create(CultureInfo.InvariantCulture, $"8593/{entries.Count % 40 + 1:D4}")));
        }
        if (entries.Count == 0) return;
        using var file = new MemoryStream();
        PaymentRegistries.Write(file, entries);
        lane.At(day, 9, 0);
        var report = await PaymentRegistries.ImportAsync(_cs, _agents.Bank, string.Create(CultureInfo.InvariantCulture, $"sber_{day:yyyyMMdd}.txt"),
            file.ToArray(), lane.As(Financier), ct);
        if (!report.Accepted)
            throw new InvalidOperationException($"Демонстрационный реестр от {day:dd.MM.yyyy} отклонён: {report.Errors[0].Reason}");
    }

    private int _mistyped;

    /// <summary>Sberbank and OSMP payments of each day, posted at its end as the gateway would post them (channel, agent, the agent's payment id).</summary>
    private async Task OnlineAsync(BillingPeriod month, List<Planned>[] plan, CancellationToken ct)
    {
        var lane = new Lane(_options.Zone);
        var options = lane.As("Онлайн-шлюз") with { RefuseClosedAccounts = true };
        for (int d = 0; d < plan.Length; d++)
        {
            var intakes = new List<PaymentIntake>();
            foreach (var p in plan[d].Where(p => p.Channel is PaymentChannel.Sber or PaymentChannel.Osmp))
            {
                long agent = p.Channel == PaymentChannel.Sber ? _agents.Bank : _agents.PaymentAgent;
                var id = string.Create(CultureInfo.InvariantCulture, $"{(int)p.Channel}{p.Day:yyyyMMdd}{intakes.Count + 1:D7}");
                intakes.Add(new PaymentIntake(agent, id, p.Channel, _payers[p.Payer].Number, p.Amount, lane.Clock.FromLocal(p.Day.ToDateTime(p.Time))));
            }
            if (intakes.Count == 0) continue;
            lane.At(month.FirstDay.AddDays(d), 23, 30);
            foreach (var batch in intakes.Chunk(OnlineBatch))
            {
                var refused = (await PaymentPosting.PostAsync(_cs, batch, options, ct)).FirstOrDefault(r => !r.Accepted);
                if (refused is not null) throw new InvalidOperationException($"Демонстрационный онлайн-платёж не принят: {refused.Outcome} {refused.Message}");
            }
        }
    }

    /// <summary>
    /// The cash desk's shifts, Monday to Saturday: opened at 08:55, the day's payments in the order of their times (once a
    /// month one taken with a wrong amount, cancelled with a reason and taken again), closed at 19:00 with its report.
    /// </summary>
    private async Task CashDeskAsync(BillingPeriod month, List<Planned>[] plan, CancellationToken ct)
    {
        var lane = new Lane(_options.Zone);
        var options = lane.As(Cashier);
        var days = plan.Select(payments => payments.Where(p => p.Channel == PaymentChannel.CashDesk).OrderBy(p => p.Time).ToList()).ToList();
        // The cashier's mistake of the month: the first payment from the 10th on (or the month's first, when none is).
        var mistaken = days.Skip(9).Concat(days.Take(9)).SelectMany(d => d).FirstOrDefault();
        foreach (var cash in days)
        {
            if (cash.Count == 0) continue;
            var day = cash[0].Day;
            lane.At(day, 8, 55);
            long shift = (await CashDesk.OpenShiftAsync(_cs, Cashier, "Касса №1, ул. Малышева, 101", options, ct)).Id;
            for (int n = 0; n < cash.Count; n++)
            {
                var p = cash[n];
                lane.At(day, p.Time);
                var payment = new CashPayment(string.Create(CultureInfo.InvariantCulture, $"{day:yyyyMMdd}-{n + 1:D4}"), _payers[p.Payer].Number, p.Amount);
                if (p == mistaken)
                {
                    var wrong = await CashDesk.PayAsync(_cs, shift, payment with { Key = payment.Key + "-0", Amount = p.Amount + 1000m }, options, ct);
                    await CashDesk.CancelAsync(_cs, shift, wrong.PaymentId!.Value, "Ошибка кассира в сумме: платёж принят заново", options, ct);
                }
                await CashDesk.PayAsync(_cs, shift, payment, options, ct);
            }
            lane.At(day, 19, 0);
            await CashDesk.CloseShiftAsync(_cs, shift, options, ct);
        }
    }

    /// <summary>The cabinet's card payments: the order, then the acquirer's notice a minute and a half later.</summary>
    private async Task CabinetAsync(BillingPeriod month, List<Planned>[] plan, CancellationToken ct)
    {
        var lane = new Lane(_options.Zone);
        var options = lane.As("Личный кабинет");
        foreach (var p in plan.SelectMany(day => day.Where(p => p.Channel == PaymentChannel.Cabinet).OrderBy(p => p.Time)))
        {
            lane.At(p.Day, p.Time);
            var (order, errors) = await CabinetPayments.CreateAsync(_cs, DemoAcquirer.Instance, _agents.Bank, _payers[p.Payer].Number, p.Amount, null, options, ct,
                p.Order);
            if (order is null)
                throw new InvalidOperationException($"Демонстрационная оплата в кабинете не создана: {string.Join("; ", errors.SelectMany(e => e.Value))}");
            lane.At(p.Day, p.Time.Add(TimeSpan.FromSeconds(90)));
            await CabinetPayments.ConfirmAsync(_cs, new AcquirerNotice(order.Id, Paid: true), options, ct);
        }
    }

    /// <summary>The acquiring bank of the history's card payments: the citizen pays on its page at once, so nothing is registered or read.</summary>
    private sealed class DemoAcquirer : IAcquirer
    {
        public static readonly DemoAcquirer Instance = new();

        public string Name => "demo";

        public Task<string> RegisterAsync(CabinetOrder order, CancellationToken ct) => Task.FromResult($"/fake-acquirer/{order.Id}");

        public AcquirerNotice? ReadNotice(IReadOnlyDictionary<string, string> fields) => null;
    }
}
