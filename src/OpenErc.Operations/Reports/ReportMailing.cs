using System.Net.Mail;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Mail;
using static OpenErc.Operations.SqlMonths;

namespace OpenErc.Operations.Reports;

/// <summary>A management company's or supplier's subscription: the address and the reports it receives after each month's closing.</summary>
public sealed record ReportSubscription(long Id, long OrganisationId, string Organisation, string Email, IReadOnlyList<string> Reports, bool Active,
    DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>
/// The monthly mailing (the administrator's subscriptions, <c>report_subscriptions</c>): the closing of a month queues a
/// letter per active subscription in its own transaction (<see cref="QueueSql"/>), so a closed month's letters are never
/// lost; the mail worker forms each letter's reports for the month within the organisation's scope — a management
/// company's buildings on the month's last day, a supplier's own rows and services — as XLSX and sends them through the
/// outbox (a mail server that is down delays the letters, a letter sent is never sent again). The same reports are at
/// hand in the «Отчёты» section and the supplier's cabinet.
/// </summary>
public static class ReportMailing
{
    /// <summary>The reports a subscription gets unless the administrator chooses: the turnover sheet, payments, the split, debtors.</summary>
    public static readonly IReadOnlyList<string> DefaultReports = ["OSV", "PAY_CHANNELS", "SPLIT", "DEBTORS"];

    public const int MaxAttempts = 5;

    /// <summary>Run by the closing of month <c>@m</c> in its transaction.</summary>
    internal const string QueueSql = """
        INSERT INTO report_letters (subscription_id, month, queued_at) SELECT id, @m, @now FROM report_subscriptions WHERE active
        ON CONFLICT (subscription_id, month) DO NOTHING
        """;

    private static readonly OrganisationKind[] Managers = [OrganisationKind.ManagementCompany, OrganisationKind.HomeownersAssociation, OrganisationKind.HousingCooperative];

    public static async Task<IReadOnlyList<ReportSubscription>> ListAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT s.id, s.organisation_id, coalesce(o.short_name, o.name), s.email, s.reports, s.active, s.created_at, s.created_by
            FROM report_subscriptions s JOIN organisations o ON o.id = s.organisation_id ORDER BY s.id
            """, conn);
        var list = new List<ReportSubscription>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetBoolean(5),
                r.GetFieldValue<DateTimeOffset>(6), r.GetString(7)));
        return list;
    }

    /// <summary>Subscribes an organisation; every refusal a Russian reason under the field's name (nothing is written then).</summary>
    public static async Task<(long? Id, Dictionary<string, string[]> Errors)> SubscribeAsync(string connectionString, long organisationId, string? email,
        IReadOnlyList<string>? reports, string by, RegionClock clock, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        email = email?.Trim();
        if (string.IsNullOrEmpty(email) || !MailAddress.TryCreate(email, out var address) || address.Address != email)
            errors["email"] = [$"Неверный адрес электронной почты «{email}»"];
        reports = reports is { Count: > 0 } ? reports.Distinct().ToList() : DefaultReports;
        if (reports.FirstOrDefault(code => ReportCatalog.Find(code) is null or { Planning: true }) is { } unknown)
            errors["reports"] = [$"Нет отчёта «{unknown}» для рассылки: коды — GET /api/v1/reports"];
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT kind FROM organisations WHERE id = @id", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", organisationId));
            var kind = await cmd.ExecuteScalarAsync(ct) is int k ? (OrganisationKind?)k : null;
            if (kind is null) errors["organisationId"] = [$"Организации {organisationId} нет"];
            else if (kind is OrganisationKind.BillingCentre or OrganisationKind.Bank or OrganisationKind.PaymentAgent)
                errors["organisationId"] = ["Рассылка — управляющим организациям и поставщикам услуг"];
        }
        if (errors.Count > 0) return (null, errors);
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO report_subscriptions (organisation_id, email, reports, created_at, created_by) VALUES (@o, @e, @r, @now, @by) RETURNING id
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("o", organisationId));
            cmd.Parameters.Add(new NpgsqlParameter<string>("e", email!));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("r", reports.Select(c => ReportCatalog.Find(c)!.Code).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
            return ((long)(await cmd.ExecuteScalarAsync(ct))!, errors);
        }
    }

    /// <summary>Stops a subscription (its letters already queued still go); false when there is none.</summary>
    public static async Task<bool> StopAsync(string connectionString, long id, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("UPDATE report_subscriptions SET active = false WHERE id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>What an organisation's users see: a management company its buildings on <paramref name="day"/>; a supplier its rows, services and buildings.</summary>
    public static async Task<ReportScope> ScopeAsync(NpgsqlConnection conn, long organisationId, DateOnly day, CancellationToken ct)
    {
        OrganisationKind kind;
        string name;
        await using (var cmd = new NpgsqlCommand("SELECT kind, coalesce(short_name, name) FROM organisations WHERE id = @o", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("o", organisationId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return new ReportScope([], [], null, false, "рассылка");
            (kind, name) = ((OrganisationKind)r.GetInt32(0), r.GetString(1));
        }
        var by = $"рассылка для {name}";
        bool manager = Managers.Contains(kind);
        var (buildings, services) = await Security.OrganisationScope.OfAsync(conn, organisationId, manager, day, ct);
        return manager ? new ReportScope(buildings, null, null, true, by) : new ReportScope(buildings, services, organisationId, false, by);
    }

    /// <summary>Forms and sends the queued letters (up to <paramref name="limit"/>); returns how many went out.</summary>
    public static async Task<int> SendQueuedAsync(string connectionString, IMailSender sender, string from, RegionClock clock, int limit = 20,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var queued = new List<(long Id, BillingPeriod Month, long Organisation, string Name, string Email, string[] Reports)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT l.id, l.month, s.organisation_id, coalesce(o.short_name, o.name), s.email, s.reports
            FROM report_letters l JOIN report_subscriptions s ON s.id = l.subscription_id JOIN organisations o ON o.id = s.organisation_id
            WHERE l.state = 'queued' ORDER BY l.queued_at, l.id LIMIT @limit
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) queued.Add((r.GetInt64(0), r.GetMonth(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetFieldValue<string[]>(5)));
        }
        int sent = 0;
        foreach (var letter in queued)
        {
            var scope = await ScopeAsync(conn, letter.Organisation, letter.Month.LastDay, ct);
            var attachments = new List<MailAttachment>();
            foreach (var code in letter.Reports)
            {
                if (ReportCatalog.Find(code) is not { } report) continue;
                var query = ReportRequest.Parse(report, new Dictionary<string, string?> { ["from"] = letter.Month.ToString(), ["to"] = letter.Month.ToString(),
                    ["mode"] = code == "DEBTORS" ? "expanded" : null }, letter.Month, null, letter.Month.LastDay);
                var (head, rows) = await ReportEngine.OpenAsync(conn, report, query, scope, clock, ct);
                using var file = new MemoryStream();
                await ReportXlsx.WriteAsync(file, head, rows, clock.Zone, ct);
                attachments.Add(new MailAttachment(head.FileName("xlsx", clock.Zone, $"{letter.Month}_{(scope.Supplier is null ? "UK" : "RSO")}-{letter.Organisation}"), file.ToArray(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
            }
            var text = $"""
                Здравствуйте!

                Месяц {letter.Month.Name()} закрыт. Во вложении — отчёты {letter.Name} за {letter.Month.Name()}:
                {string.Join("\n", letter.Reports.Select(c => ReportCatalog.Find(c)?.Title).OfType<string>().Select(t => "— " + t))}.
                Те же отчёты с любыми отборами — в разделе «Отчёты» рабочего места.
                """;
            sent += await Letters.SendOutboxAsync(conn, "report_letters",
                [(letter.Id, () => Letters.Compose(from, letter.Email, $"Отчёты за {letter.Month.Name()}: {letter.Name}", text, clock.Now, [.. attachments]))],
                sender, clock.Now, MaxAttempts, ct);
        }
        return sent;
    }
}
