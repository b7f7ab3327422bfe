using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Payments;
using OpenErc.Exchange.Legacy;
using OpenErc.Exchange.Readings;
using OpenErc.Exchange.Registries;
using OpenErc.Operations.Cabinet;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Payments;

public enum RegistryState
{
    [Display(Name = "Принят")] Accepted,
    [Display(Name = "Отклонён")] Rejected,
}

/// <summary>What a registry line did when its registry was imported.</summary>
public enum RegistryLineOutcome
{
    [Display(Name = "Проведён на лицевой счёт")] Posted,
    [Display(Name = "В невыясненных")] Suspense,
    [Display(Name = "Принят ранее")] Repeated,
}

/// <summary>A registry as imported: its totals (for a rejected one, of its readable lines) and what its lines did.</summary>
public sealed record RegistrySummary(long Id, long AgentId, string Agent, string FileName, RegistryState State, DateOnly? RegistryDate, int Lines,
    decimal Total, decimal Commission, int Posted, int Repeated, int Suspense, int Errors, DateTimeOffset ImportedAt, string ImportedBy);

/// <summary>The answer to an import: the registry, every error of a rejected one, and a note for the operator (a repeated file).</summary>
public sealed record RegistryImportReport(RegistrySummary Registry, string Encoding, IReadOnlyList<RegistryError> Errors, string? Notice)
{
    public bool Accepted => Registry.State == RegistryState.Accepted;
}

/// <summary>A line of an accepted registry with the payment it is (posted by it, or before it under the same operation id).</summary>
public sealed record RegistryLineView(int LineNo, long PaymentId, string OperationId, string AccountNumber, long? AccountId, string? Payer, string? Address,
    decimal Amount, decimal Commission, DateTimeOffset PaidAt, RegistryLineOutcome Outcome, string? ResolvedTo);

public sealed record RegistryDetail(RegistrySummary Registry, IReadOnlyList<RegistryError> Errors, Page<RegistryLineView> Lines);

public sealed record RegistryFilter(long? AgentId = null, DateOnly? From = null, DateOnly? To = null, RegistryState? State = null);

/// <summary>
/// Payment registries (реестры платежей) from banks and payment agents. A file is accepted whole or rejected whole:
/// <see cref="RegistryParser.Check"/> finds every bad line first, and a file with any is recorded as rejected with all
/// of them and posts nothing; an accepted file posts all its lines in one transaction through
/// <see cref="PaymentPosting"/> (chunks of about <see cref="ChunkSize"/> by account, set-based), unknown accounts going to suspense.
/// An operation id the agent already used for another account or amount is a conflict, and a payment dated before its
/// account was opened is refused (<see cref="PaymentDates"/>): the transaction rolls back and the registry is rejected
/// with those lines. Importing a file again posts nothing new: its lines are repeats.
/// </summary>
public static partial class PaymentRegistries
{
    public const int ChunkSize = 10_000;
    public const int LinesPageSize = 100;
    private const long ImportLockKey = 0x5245_4749_5354_5259L;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<RegistryImportReport> ImportAsync(string connectionString, long agentId, string fileName, byte[] content, PostingOptions options,
        CancellationToken ct = default, RegistryProfiles? profiles = null)
    {
        var today = options.Today;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        string profileName = await AgentProfileAsync(conn, agentId, today, ct);
        var profile = (profiles ?? RegistryProfiles.BuiltIn).Find(profileName)
            ?? throw new PaymentException($"Формат реестров «{profileName}» из условий агента не настроен (OpenErc:Payments:RegistryProfiles)");
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var lines = new List<RegistryLine>();
        // Numbers that are not the centre's (an earlier system's, the ЕЛС) are looked up first, all of them only when some
        // other number looks like the centre's own: a registry of the centre's numbers costs nothing more.
        var others = RegistryParser.AccountNumbers(content, profile, all: await AccountAliases.AnyLikeOwnAsync(conn, ct));
        var aliases = others.Count == 0 ? null : await AccountAliases.ResolveAsync(conn, others, ct);
        var check = RegistryParser.Check(content, profile, options.Clock, today, lines, options.Dates, aliases);
        var registry = new Registry(agentId, fileName, sha, check, options);
        if (check.Errors.Count > 0) return await RejectAsync(conn, registry, check.Errors, ct);

        var earlier = await EarlierAsync(conn, agentId, sha, ct);
        await PaymentPosting.EnsurePartitionsAsync(conn, BillingPeriod.Of(today), ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One registry posts at a time: each locks its accounts chunk by chunk, and two doing so at once could deadlock.
        await using (var serial = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ImportLockKey})", conn))
            await serial.ExecuteNonQueryAsync(ct);
        long id = await InsertAsync(conn, registry, RegistryState.Accepted, null, ct);
        int posted = 0, repeated = 0, suspense = 0;
        var refused = new List<RegistryError>();
        var chunks = ByAccount(lines, ChunkSize).Select(chunk =>
            (IReadOnlyList<PaymentIntake>)chunk.Select(l => new PaymentIntake(agentId, l.OperationId, PaymentChannel.Registry, l.AccountNumber, l.Amount,
                l.PaidAt, l.Period, l.Commission, l.Payer, l.Address, id, l.LineNo)).ToList());
        var posting = options with { AllowSuspense = true, RefuseBeforeOpening = true };
        await PaymentPosting.PostRegistryAsync(conn, connectionString, agentId, chunks, posting, async (intakes, results) =>
        {
            for (int i = 0; i < intakes.Count; i++)
                switch (results[i].Outcome)
                {
                    case PostingOutcome.Posted: posted++; break;
                    case PostingOutcome.Suspense: suspense++; break;
                    case PostingOutcome.Repeated: repeated++; break;
                    // A conflict, or a payment dated before its account was opened: the line's reason rejects the file.
                    default: refused.Add(new RegistryError(intakes[i].LineNo, results[i].Message!)); break;
                }
            if (refused.Count == 0) await WriteRepeatsAsync(conn, id, agentId, intakes, results, options, ct);
        }, ct);
        if (refused.Count > 0)
        {
            await tx.RollbackAsync(ct);
            return await RejectAsync(conn, registry, refused.OrderBy(e => e.Line).Take(RegistryParser.MaxErrors).ToList(), ct);
        }
        await using (var update = new NpgsqlCommand("UPDATE payment_registries SET posted = @posted, repeated = @repeated, suspense = @suspense WHERE id = @id", conn))
        {
            update.Parameters.Add(new NpgsqlParameter<int>("posted", posted));
            update.Parameters.Add(new NpgsqlParameter<int>("repeated", repeated));
            update.Parameters.Add(new NpgsqlParameter<int>("suspense", suspense));
            update.Parameters.Add(new NpgsqlParameter<long>("id", id));
            await update.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);

        var notes = new List<string>();
        if (lines.Any(l => l.Readings.Count > 0)) notes.Add(await ReadingsAsync(connectionString, lines, options, ct));
        if (earlier is { } e) notes.Add($"Этот файл уже загружался: реестр №{e.Id} от {options.Clock.Local(e.At):dd.MM.yyyy HH:mm}");
        if (repeated > 0 && repeated == check.Lines) notes.Add("Все платежи реестра уже были приняты ранее: новых платежей нет");
        else if (repeated > 0) notes.Add($"Платежей, принятых ранее: {repeated} — повторно не проведены");
        return new RegistryImportReport((await GetSummaryAsync(conn, id, ct))!, check.Encoding, [], notes.Count > 0 ? string.Join(". ", notes) : null);
    }

    /// <summary>
    /// The readings the payers gave with their payments (exchange.md §3.4), dated by the payment's day and checked by the
    /// cabinet's rules through <see cref="ReadingFiles"/> (the channel «Банк»); what was taken and each refusal, for the answer.
    /// </summary>
    private static async Task<string> ReadingsAsync(string connectionString, List<RegistryLine> lines, PostingOptions options, CancellationToken ct)
    {
        var rows = new List<ReadingRow>();
        var unread = new List<LegacyError>();
        foreach (var l in lines)
            foreach (var (meter, text) in l.Readings)
                if (decimal.TryParse(text.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                    rows.Add(new ReadingRow($"строка {l.LineNo}", l.AccountNumber, meter, 1, l.PaidOn, value));
                else unread.Add(new($"строка {l.LineNo}", $"показание «{text}» — не число"));
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(connectionString), options.Clock);
        var report = await ReadingFiles.ImportAsync(db, rows, unread, ReadingSource.Bank, new ReadingRules(), options.Clock, options.PostedBy, ct);
        return $"Показаний в реестре: {report.Lines}, принято: {report.Saved}" +
               (report.Refused.Count > 0 ? "; не приняты — " + string.Join("; ", report.Refused.Take(20).Select(r => r.ToString())) : "");
    }

    /// <summary>
    /// The lines in chunks of at least <paramref name="size"/> (the last may be smaller) that never split an account:
    /// ordered by account number, each account's lines in file order. Each chunk then reads the debt books
    /// of its own accounts only, once — a region's registry pays most accounts once or more, and chunks in file order
    /// would read every account's book in nearly every chunk. Payments are numbered in this order. The lines are held
    /// to be sorted (in place): about 200 MB for a million.
    /// </summary>
    internal static IEnumerable<List<RegistryLine>> ByAccount(List<RegistryLine> lines, int size)
    {
        lines.Sort((x, y) => string.CompareOrdinal(x.AccountNumber, y.AccountNumber) is var c && c != 0 ? c : x.LineNo.CompareTo(y.LineNo));
        for (int start = 0; start < lines.Count;)
        {
            int end = Math.Min(start + size, lines.Count);
            while (end < lines.Count && lines[end].AccountNumber == lines[end - 1].AccountNumber) end++;
            yield return lines.GetRange(start, end - start);
            start = end;
        }
    }

    /// <summary>The registry profile of the agent's terms in force (<c>sber</c> without terms); refuses an organisation that is not an agent.</summary>
    private static async Task<string> AgentProfileAsync(NpgsqlConnection conn, long agentId, DateOnly today, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT o.kind, coalesce((SELECT registry_profile FROM payment_agent_terms t WHERE t.agent_id = o.id AND t.valid_from <= @today
                                     ORDER BY t.valid_from DESC LIMIT 1), @default)
            FROM organisations o WHERE o.id = @id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", agentId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        cmd.Parameters.Add(new NpgsqlParameter<string>("default", RegistryProfile.DefaultName));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new PaymentException($"Организация №{agentId} не найдена");
        if ((OrganisationKind)r.GetInt32(0) is not (OrganisationKind.Bank or OrganisationKind.PaymentAgent))
            throw new PaymentException($"Организация №{agentId} — не банк и не платёжный агент: реестры платежей принимаются только от них");
        return r.GetString(1);
    }

    /// <summary>The agent with this id, or with this login of the payment protocols; null when there is none.</summary>
    public static async Task<long?> FindAgentAsync(string connectionString, string loginOrId, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT organisation_id FROM payment_agent_accesses WHERE login = @text
            UNION ALL SELECT id FROM organisations WHERE id = @id AND kind IN (@bank, @agent)
            LIMIT 1
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("text", loginOrId.Trim()));
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", long.TryParse(loginOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0));
        cmd.Parameters.Add(new NpgsqlParameter<int>("bank", (int)OrganisationKind.Bank));
        cmd.Parameters.Add(new NpgsqlParameter<int>("agent", (int)OrganisationKind.PaymentAgent));
        return await cmd.ExecuteScalarAsync(ct) is long found ? found : null;
    }

    /// <summary>Banks and payment agents, by name: who a registry can come from.</summary>
    public static async Task<IReadOnlyList<(long Id, string Name)>> AgentsAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT id, coalesce(short_name, name) FROM organisations WHERE kind IN (@bank, @agent) ORDER BY 2", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("bank", (int)OrganisationKind.Bank));
        cmd.Parameters.Add(new NpgsqlParameter<int>("agent", (int)OrganisationKind.PaymentAgent));
        var agents = new List<(long, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) agents.Add((r.GetInt64(0), r.GetString(1)));
        return agents;
    }

    private sealed record Registry(long AgentId, string FileName, string Sha, RegistryCheck Check, PostingOptions Options);

    private static async Task<RegistryImportReport> RejectAsync(NpgsqlConnection conn, Registry registry, IReadOnlyList<RegistryError> errors, CancellationToken ct)
    {
        long id = await InsertAsync(conn, registry, RegistryState.Rejected, errors, ct);
        return new RegistryImportReport((await GetSummaryAsync(conn, id, ct))!, registry.Check.Encoding, errors, null);
    }

    private static async Task<long> InsertAsync(NpgsqlConnection conn, Registry registry, RegistryState state, IReadOnlyList<RegistryError>? errors, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO payment_registries (agent_id, file_name, file_sha256, state, registry_date, lines, total, commission, errors, imported_at, imported_by)
            VALUES (@agent, @file, @sha, @state, @date, @lines, @total, @commission, @errors, @at, @by)
            RETURNING id
            """, conn);
        var check = registry.Check;
        cmd.Parameters.Add(new NpgsqlParameter<long>("agent", registry.AgentId));
        cmd.Parameters.Add(new NpgsqlParameter<string>("file", registry.FileName));
        cmd.Parameters.Add(new NpgsqlParameter<string>("sha", registry.Sha));
        cmd.Parameters.Add(new NpgsqlParameter<string>("state", state == RegistryState.Accepted ? "accepted" : "rejected"));
        cmd.Parameters.Add(new NpgsqlParameter("date", NpgsqlDbType.Date) { Value = (object?)check.LastDay ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<int>("lines", check.Lines));
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("total", check.Total));
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("commission", check.Commission));
        cmd.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Jsonb) { Value = errors is null ? DBNull.Value : JsonSerializer.Serialize(errors, Json) });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", registry.Options.Now));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", registry.Options.PostedBy));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<(long Id, DateTimeOffset At)?> EarlierAsync(NpgsqlConnection conn, long agentId, string sha, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT id, imported_at FROM payment_registries WHERE agent_id = @agent AND file_sha256 = @sha AND state = 'accepted' ORDER BY id LIMIT 1
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("agent", agentId));
        cmd.Parameters.Add(new NpgsqlParameter<string>("sha", sha));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1)) : null;
    }

    /// <summary>
    /// The registry's lines that posted nothing new, each with the payment posted before under its operation id; a line's
    /// day is its payment's, in the region's time. A line that posted a payment is that payment (its registry and line).
    /// </summary>
    private static async Task WriteRepeatsAsync(NpgsqlConnection conn, long registryId, long agentId, IReadOnlyList<PaymentIntake> lines,
        IReadOnlyList<PostingResult> results, PostingOptions options, CancellationToken ct)
    {
        if (!results.Any(r => r.Outcome == PostingOutcome.Repeated)) return;
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY payment_registry_lines (registry_id, line_no, agent_id, paid_on, amount, payment_id, outcome) FROM STDIN (FORMAT BINARY)", ct);
        for (int i = 0; i < lines.Count; i++)
        {
            if (results[i].Outcome != PostingOutcome.Repeated) continue;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(registryId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(lines[i].LineNo!.Value, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(agentId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(options.DateOf(lines[i].PaidAt), NpgsqlDbType.Date, ct);
            await copy.WriteAsync(lines[i].Amount, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(results[i].PaymentId!.Value, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync("repeated", NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private const string SummarySql = """
        SELECT r.id, r.agent_id, coalesce(o.short_name, o.name), r.file_name, r.state, r.registry_date, r.lines, r.total, r.commission, r.posted, r.repeated,
               r.suspense, coalesce(jsonb_array_length(r.errors), 0), r.imported_at, r.imported_by
        FROM payment_registries r JOIN organisations o ON o.id = r.agent_id
        """;

    private static RegistrySummary ReadSummary(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3),
        r.GetString(4) == "accepted" ? RegistryState.Accepted : RegistryState.Rejected, r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5), r.GetInt32(6),
        r.GetDecimal(7), r.GetDecimal(8), r.GetInt32(9), r.GetInt32(10), r.GetInt32(11), r.GetInt32(12), r.GetFieldValue<DateTimeOffset>(13), r.GetString(14));

    private static async Task<RegistrySummary?> GetSummaryAsync(NpgsqlConnection conn, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SummarySql + " WHERE r.id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadSummary(r) : null;
    }

    /// <summary>Registries, the latest imported first, by agent, registry date <c>[From, To)</c> and state.</summary>
    public static async Task<Page<RegistrySummary>> ListAsync(string connectionString, RegistryFilter filter, int page = 1, int pageSize = 50,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        const string where = """
            WHERE (@agent::bigint IS NULL OR r.agent_id = @agent) AND (@from::date IS NULL OR r.registry_date >= @from)
              AND (@to::date IS NULL OR r.registry_date < @to) AND (@state::text IS NULL OR r.state = @state)
            """;
        await using var cmd = new NpgsqlCommand($"""
            SELECT count(*) FROM payment_registries r {where};
            {SummarySql} {where} ORDER BY r.imported_at DESC, r.id DESC LIMIT @limit OFFSET @offset;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("agent", NpgsqlDbType.Bigint) { Value = (object?)filter.AgentId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Date) { Value = (object?)filter.From ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.Date) { Value = (object?)filter.To ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Text)
        {
            Value = filter.State switch { RegistryState.Accepted => "accepted", RegistryState.Rejected => "rejected", _ => DBNull.Value },
        });
        return await SqlPage.ReadAsync(cmd, page, pageSize, ReadSummary, ct);
    }

    /// <summary>A registry with its errors and a page of its lines (by line number); null when there is no such registry.</summary>
    public static async Task<RegistryDetail?> GetAsync(string connectionString, long id, int page = 1, int pageSize = LinesPageSize, CancellationToken ct = default)
    {
        (page, pageSize) = SqlPage.Clamp(page, pageSize);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        if (await GetSummaryAsync(conn, id, ct) is not { } summary) return null;
        await using var cmd = new NpgsqlCommand("""
            SELECT coalesce(errors, '[]')::text FROM payment_registries WHERE id = @id;
            WITH lines AS (
                SELECT line_no, id AS payment_id, CASE WHEN account_id IS NULL THEN 'suspense' ELSE 'posted' END AS outcome
                FROM payments WHERE registry_id = @id
                UNION ALL
                SELECT line_no, payment_id, outcome FROM payment_registry_lines WHERE registry_id = @id
                ORDER BY line_no LIMIT @limit OFFSET @offset)
            SELECT l.line_no, p.id, p.agent_payment_id, p.account_number, p.account_id, p.payer, p.address, p.amount, p.commission, p.paid_at, l.outcome,
                   (SELECT c.account_number FROM payments c WHERE c.corrects = p.id AND c.correction = 'resolution')
            FROM lines l JOIN payments p ON p.id = l.payment_id
            ORDER BY l.line_no;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", pageSize));
        cmd.Parameters.Add(new NpgsqlParameter<int>("offset", (page - 1) * pageSize));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var errors = JsonSerializer.Deserialize<List<RegistryError>>(r.GetString(0), Json)!;
        await r.NextResultAsync(ct);
        var lines = new List<RegistryLineView>();
        while (await r.ReadAsync(ct))
            lines.Add(new RegistryLineView(r.GetInt32(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetDecimal(7), r.GetDecimal(8), r.GetFieldValue<DateTimeOffset>(9),
                r.GetString(10) switch { "posted" => RegistryLineOutcome.Posted, "suspense" => RegistryLineOutcome.Suspense, _ => RegistryLineOutcome.Repeated },
                r.IsDBNull(11) ? null : r.GetString(11)));
        int total = summary.State == RegistryState.Accepted ? summary.Lines : 0;
        return new RegistryDetail(summary, errors, new Page<RegistryLineView>(lines, total, page, pageSize));
    }
}
