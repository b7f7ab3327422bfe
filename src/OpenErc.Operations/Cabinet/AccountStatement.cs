using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Receipts;

namespace OpenErc.Operations.Cabinet;

/// <summary>A month's line of the statement: one service of one supplier.</summary>
public sealed record StatementLine(string Service, string Supplier, decimal Opening, decimal Charged, decimal Recalculated, decimal Penalties, decimal Paid,
    decimal Closing);

public sealed record StatementMonth(BillingPeriod Month, IReadOnlyList<StatementLine> Lines)
{
    public decimal Opening => Lines.Sum(l => l.Opening);
    public decimal Charged => Lines.Sum(l => l.Charged);
    public decimal Recalculated => Lines.Sum(l => l.Recalculated);
    public decimal Penalties => Lines.Sum(l => l.Penalties);
    public decimal Paid => Lines.Sum(l => l.Paid);
    public decimal Closing => Lines.Sum(l => l.Closing);
}

/// <summary>
/// Выписка из финансового лицевого счёта for a period of closed months: by month and service (and supplier), the
/// opening balance, charges, recalculations, penalties, payments and the closing balance — the balances each month's
/// closing wrote (<c>account_balances</c>, whose every row satisfies opening + charged + recalculated + penalties − paid =
/// closing, and whose closing is the next month's opening). The open month has no balances yet and is not in it.
/// </summary>
public static class AccountStatement
{
    /// <summary>At most this many months in one statement (ten years).</summary>
    public const int MaxMonths = 120;

    /// <summary>The statement's period unless asked otherwise: the twelve months before <paramref name="current"/>.</summary>
    public static (BillingPeriod From, BillingPeriod To) DefaultPeriod(BillingPeriod current)
    {
        var last = current.Previous();
        return (BillingPeriod.Of(last.FirstDay.AddMonths(-11)), last);
    }

    public static async Task<List<StatementMonth>> LoadAsync(NpgsqlConnection conn, long accountId, BillingPeriod from, BillingPeriod to, CancellationToken ct = default)
    {
        if (to < from) (from, to) = (to, from);
        var earliest = BillingPeriod.Of(to.FirstDay.AddMonths(1 - MaxMonths));
        if (from < earliest) from = earliest;
        // Month by month through the balances' key (month, account): one index lookup each, whatever the region's size.
        await using var cmd = new NpgsqlCommand("""
            SELECT m::date, s.name, coalesce(o.short_name, o.name), b.opening, b.charged, b.recalculated, b.penalties, b.paid, b.closing
            FROM generate_series(@from::date, @to::date, interval '1 month') m
            CROSS JOIN LATERAL (SELECT * FROM account_balances b WHERE b.month = m::date AND b.account_id = @account) b
            JOIN services s ON s.id = b.service_id
            JOIN organisations o ON o.id = b.supplier_id
            ORDER BY 1, s.sort_order, s.name, 3
            """, conn);
        cmd.Parameters.Add(SqlMonths.MonthParameter("from", from));
        cmd.Parameters.Add(SqlMonths.MonthParameter("to", to));
        cmd.Parameters.Add(new NpgsqlParameter<long>("account", accountId));
        var rows = new List<(BillingPeriod Month, StatementLine Line)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add((r.GetMonth(0), new StatementLine(r.GetString(1), r.GetString(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6),
                    r.GetDecimal(7), r.GetDecimal(8))));
        return rows.GroupBy(x => x.Month).Select(g => new StatementMonth(g.Key, g.Select(x => x.Line).ToList())).ToList();
    }

    /// <summary>The statement of <see cref="LoadAsync"/> as a printable PDF, headed by the centre, the account's number, address and payer.</summary>
    public static async Task<byte[]> PdfAsync(NpgsqlConnection conn, long accountId, BillingPeriod from, BillingPeriod to, DateOnly today, CancellationToken ct = default)
    {
        var months = await LoadAsync(conn, accountId, from, to, ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT a.number, b.address || CASE WHEN p.kind = 1 THEN ', кв. ' ELSE ', пом. ' END || p.number, pp.full_name,
                   (SELECT o.name FROM organisations o WHERE o.kind = @centre ORDER BY o.id LIMIT 1)
            FROM personal_accounts a JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            LEFT JOIN people pp ON pp.id = a.payer_person_id
            WHERE a.id = @account
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("account", accountId));
        cmd.Parameters.Add(new NpgsqlParameter<int>("centre", (int)Core.Organisations.OrganisationKind.BillingCentre));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new InvalidOperationException($"Лицевой счёт {accountId} не найден");
        return Pdf(months, r.IsDBNull(3) ? "Единый расчётный центр" : r.GetString(3), r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
            from <= to ? from : to, from <= to ? to : from, today);
    }

    private static byte[] Pdf(IReadOnlyList<StatementMonth> months, string issuer, string accountNumber, string address, string? payer, BillingPeriod from,
        BillingPeriod to, DateOnly today)
    {
        static string Money(decimal a) => ReceiptPdf.Money(a);
        var rows = new List<string[]>();
        foreach (var month in months)
        {
            foreach (var l in month.Lines)
                rows.Add([month.Month.Name(), $"{l.Service}\n{l.Supplier}", Money(l.Opening), Money(l.Charged), Money(l.Recalculated), Money(l.Penalties),
                    Money(l.Paid), Money(l.Closing)]);
            rows.Add([month.Month.Name(), "Итого за месяц", Money(month.Opening), Money(month.Charged), Money(month.Recalculated), Money(month.Penalties),
                Money(month.Paid), Money(month.Closing)]);
        }
        var table = new FormTable("Движение по лицевому счёту, ₽",
            [new("Месяц", 11), new("Услуга, получатель", 25), new("Долг (+), аванс (−) на начало", 11, true), new("Начислено", 10, true),
             new("Перерасчёт", 10, true), new("Пени", 9, true), new("Оплачено", 10, true), new("Долг (+), аванс (−) на конец", 11, true)],
            rows, "За эти месяцы движения по лицевому счёту нет.");
        var notes = months.Count == 0 ? new List<string>()
            : [$"На начало периода: {Money(months[0].Opening)} ₽; начислено {Money(months.Sum(m => m.Charged))} ₽, перерасчёты {Money(months.Sum(m => m.Recalculated))} ₽, " +
               $"пени {Money(months.Sum(m => m.Penalties))} ₽, оплачено {Money(months.Sum(m => m.Paid))} ₽; на конец периода: {Money(months[^1].Closing)} ₽."];
        var document = new FormDocument(issuer, null, "Выписка из финансового лицевого счёта", $"за {from.Name()} — {to.Name()} · сформирована {today:dd.MM.yyyy}",
            [new("Лицевой счёт", accountNumber), new("Адрес", address), new("Плательщик", payer ?? "—")], [], [table], notes,
            ["Сведения по закрытым расчётным месяцам; текущий месяц войдёт в выписку после его закрытия."], "", Seal: false);
        return FormPdf.Render(document);
    }
}
