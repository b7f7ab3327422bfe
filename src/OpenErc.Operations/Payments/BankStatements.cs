using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;
using OpenErc.Exchange.Banks;

namespace OpenErc.Operations.Payments;

/// <summary>A credit to the collecting account: the bank's document, its payer and the agent it is from, and the registries it paid for.</summary>
public sealed record StatementCredit(int Line, string? Number, DateOnly? Date, decimal Amount, string? PayerInn, string? PayerName, string? Purpose,
    string? Agent, IReadOnlyList<long> Registries);

/// <summary>An agent's accepted registry as the statements see it: the money it should bring and the credit that brought it, if any.</summary>
public sealed record RegistryFunds(long RegistryId, string Agent, DateOnly? Day, decimal Total, decimal Commission, long? CreditId, string? CreditNumber,
    DateOnly? CreditDate, bool Overdue)
{
    /// <summary>What the agent transfers: the registry's total less the commission it keeps.</summary>
    public decimal Expected => Total - Commission;

    public bool Matched => CreditId is not null;
}

/// <summary>What a statement's import did: its id (null when refused), every error, the credits and the agents' registries of its days.</summary>
public sealed record BankStatementReport(long? Id, IReadOnlyList<string> Errors, IReadOnlyList<StatementCredit> Credits, IReadOnlyList<RegistryFunds> Registries);

/// <summary>
/// The collecting account's statements (exchange.md §2.3), loaded as 1C client-bank exchange files: kept raw with their
/// SHA-256 (the same accepted file twice is refused), checked (<see cref="ClientBankExchange.Read"/>: a broken file is
/// kept as rejected with its errors and changes nothing), and their credits matched to the agents' registries: a
/// credit from an agent (its payer's ИНН is a bank's or payment agent's) pays for one unmatched accepted registry of
/// that agent whose total — less the commission the agent keeps, or whole — is the credit's amount, else for several of
/// consecutive days that add up to it; the registry number in the purpose is never a key. The report shows each
/// registry of the agents over the statement's days (and the month before) matched or missing, a missing one older
/// than <see cref="WaitWorkingDays"/> working days (the region's <see cref="WorkCalendar"/>) overdue, and the credits from anyone else (not payments of accounts:
/// an operator assigns them).
/// </summary>
public static class BankStatements
{
    /// <summary>How many working days an agent's transfer may follow its registry (exchange.md §2.3 [uncertain]: 3).</summary>
    public const int WaitWorkingDays = 3;

    public static async Task<BankStatementReport> ImportAsync(string connectionString, string fileName, byte[] content, string collectingAccount, string by,
        RegionClock clock, CancellationToken ct = default)
    {
        var file = ClientBankExchange.Read(content);
        var errors = file.Errors.ToList();
        var section = file.Accounts.FirstOrDefault(a => a.Account == collectingAccount);
        if (errors.Count == 0 && section is null) errors.Add($"В выписке нет раздела счёта {collectingAccount}, на который принимаются платежи");
        string sha = Convert.ToHexStringLower(SHA256.HashData(content));
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var earlier = new NpgsqlCommand("SELECT id, loaded_at FROM bank_statements WHERE file_sha256 = @sha AND state = 'accepted'", conn, tx))
        {
            earlier.Parameters.Add(new NpgsqlParameter<string>("sha", sha));
            await using var r = await earlier.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
                errors.Add($"Эта выписка уже загружена: № {r.GetInt64(0)} от {clock.Local(r.GetFieldValue<DateTimeOffset>(1)):dd.MM.yyyy HH:mm}");
        }
        long id = await InsertAsync(conn, tx, fileName, sha, content, errors, section, by, clock, ct);
        if (errors.Count > 0)
        {
            await tx.CommitAsync(ct);
            return new BankStatementReport(null, errors, [], []);
        }

        var credits = file.Credits(collectingAccount).ToList();
        var agents = await AgentsAsync(conn, tx, credits.Select(c => c.PayerInn).OfType<string>().Distinct().ToArray(), ct);
        var open = await OpenRegistriesAsync(conn, tx, agents.Values.Select(a => a.Id).Distinct().ToArray(), ct);
        var result = new List<StatementCredit>();
        foreach (var c in credits)
        {
            var agent = c.PayerInn is { } inn && agents.TryGetValue(inn, out var a) ? a : ((long Id, string Name)?)null;
            var paid = agent is { } found ? Match(open, found.Id, c.Amount!.Value) : [];
            await InsertCreditAsync(conn, tx, id, c, agent?.Id, paid, ct);
            result.Add(new StatementCredit(c.Line, c.Number, c.Date, c.Amount!.Value, c.PayerInn, c.PayerName, c.Purpose, agent?.Name, paid));
        }
        await tx.CommitAsync(ct);
        return new BankStatementReport(id, [], result, await FundsAsync(conn, agents.Values.Select(a => a.Id).Distinct().ToArray(),
            section!.From?.AddMonths(-1), section.To, clock.Calendar, ct));
    }

    /// <summary>The registries a credit of <paramref name="amount"/> from the agent paid for (taken out of <paramref name="open"/>): one, or consecutive days.</summary>
    private static List<long> Match(List<(long Id, long Agent, DateOnly Day, decimal Total, decimal Commission)> open, long agent, decimal amount)
    {
        var mine = open.Where(r => r.Agent == agent).ToList();
        foreach (bool net in new[] { true, false })
        {
            decimal Due((long Id, long Agent, DateOnly Day, decimal Total, decimal Commission) r) => net ? r.Total - r.Commission : r.Total;
            for (int i = 0; i < mine.Count; i++)
            {
                decimal sum = 0m;
                for (int j = i; j < mine.Count && sum < amount; j++)
                {
                    sum += Due(mine[j]);
                    if (sum != amount) continue;
                    var paid = mine.GetRange(i, j - i + 1).Select(r => r.Id).ToList();
                    open.RemoveAll(r => paid.Contains(r.Id));
                    return paid;
                }
            }
        }
        return [];
    }

    private static async Task<long> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string fileName, string sha, byte[] content, List<string> errors,
        BankAccountSection? s, string by, RegionClock clock, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO bank_statements (file_name, file_sha256, content, state, errors, account, date_from, date_to, opening, received, debited, closing,
                                         loaded_at, loaded_by)
            VALUES (@name, @sha, @content, @state, @errors::jsonb, @account, @from, @to, @opening, @received, @debited, @closing, @now, @by) RETURNING id
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", fileName));
        cmd.Parameters.Add(new NpgsqlParameter<string>("sha", sha));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("content", content));
        cmd.Parameters.Add(new NpgsqlParameter<string>("state", errors.Count == 0 ? "accepted" : "rejected"));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("errors", errors.Count == 0 ? null : JsonSerializer.Serialize(errors)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("account", s?.Account) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("from", s?.From) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("to", s?.To) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        foreach (var (name, value) in new[] { ("opening", s?.Opening), ("received", s?.Received), ("debited", s?.Debited), ("closing", s?.Closing) })
            cmd.Parameters.Add(new NpgsqlParameter<decimal?>(name, value) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Numeric });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task InsertCreditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long statement, BankDocument c, long? agent, List<long> paid,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            WITH credit AS (
                INSERT INTO bank_statement_credits (statement_id, line, number, doc_date, amount, payer_inn, payer_name, purpose, agent_id)
                VALUES (@statement, @line, @number, @date, @amount, @inn, @payer, @purpose, @agent) RETURNING id),
            matched AS (INSERT INTO bank_statement_matches (registry_id, credit_id) SELECT r, credit.id FROM unnest(@registries) AS r, credit)
            SELECT id FROM credit
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long>("statement", statement));
        cmd.Parameters.Add(new NpgsqlParameter<int>("line", c.Line));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("number", c.Number) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("date", c.Date) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("amount", c.Amount!.Value));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("inn", c.PayerInn) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("payer", c.PayerName) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("purpose", c.Purpose) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<long?>("agent", agent) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("registries", paid.ToArray()));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The banks and payment agents among the payers' ИНН.</summary>
    private static async Task<Dictionary<string, (long Id, string Name)>> AgentsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] inns, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT inn, id, coalesce(short_name, name) FROM organisations WHERE inn = ANY(@inns) AND kind = ANY(@kinds) ORDER BY id", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("inns", inns));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("kinds", [(int)OrganisationKind.Bank, (int)OrganisationKind.PaymentAgent]));
        var found = new Dictionary<string, (long, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) found.TryAdd(r.GetString(0), (r.GetInt64(1), r.GetString(2)));
        return found;
    }

    private static async Task<List<(long Id, long Agent, DateOnly Day, decimal Total, decimal Commission)>> OpenRegistriesAsync(NpgsqlConnection conn,
        NpgsqlTransaction tx, long[] agents, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.id, r.agent_id, r.registry_date, r.total, r.commission FROM payment_registries r
            WHERE r.agent_id = ANY(@agents) AND r.state = 'accepted' AND r.registry_date IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM bank_statement_matches m WHERE m.registry_id = r.id)
            ORDER BY r.agent_id, r.registry_date, r.id
            FOR UPDATE OF r
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("agents", agents));
        var list = new List<(long, long, DateOnly, decimal, decimal)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2), r.GetDecimal(3), r.GetDecimal(4)));
        return list;
    }

    /// <summary>The agents' accepted registries of the days, each with the credit that paid for it or missing (overdue past the wait).</summary>
    public static async Task<IReadOnlyList<RegistryFunds>> FundsAsync(NpgsqlConnection conn, long[]? agents, DateOnly? from, DateOnly? to, WorkCalendar calendar,
        CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.id, coalesce(o.short_name, o.name), r.registry_date, r.total, r.commission, c.number, c.doc_date, c.id
            FROM payment_registries r JOIN organisations o ON o.id = r.agent_id
            LEFT JOIN bank_statement_matches m ON m.registry_id = r.id LEFT JOIN bank_statement_credits c ON c.id = m.credit_id
            WHERE r.state = 'accepted' AND (@agents::bigint[] IS NULL OR r.agent_id = ANY(@agents))
              AND (@from::date IS NULL OR r.registry_date >= @from) AND (@to::date IS NULL OR r.registry_date <= @to)
            ORDER BY r.registry_date, r.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]?>("agents", agents) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("from", from) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("to", to) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        var list = new List<RegistryFunds>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            DateOnly? day = r.IsDBNull(2) ? null : r.GetFieldValue<DateOnly>(2);
            long? credit = r.IsDBNull(7) ? null : r.GetInt64(7);
            bool overdue = credit is null && day is { } d && to is { } end && calendar.WorkingDaysAfter(d, end) > WaitWorkingDays;
            list.Add(new RegistryFunds(r.GetInt64(0), r.GetString(1), day, r.GetDecimal(3), r.GetDecimal(4), credit, r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetFieldValue<DateOnly>(6), overdue));
        }
        return list;
    }
}
