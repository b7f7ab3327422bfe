using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Npgsql;
using OpenErc.Core.Organisations;
using OpenErc.Exchange.Registries;

namespace OpenErc.Operations.Payments;

/// <summary>Who pays an agent's commission (103-ФЗ): the payer on top of the payment, or the recipients out of it.</summary>
public enum CommissionPayer
{
    [Display(Name = "Плательщик")] Payer,
    [Display(Name = "Получатель")] Recipient,
}

/// <summary>
/// An agent's contract terms from <see cref="ValidFrom"/> until the next terms: the commission in percent of each
/// payment (rounded to kopecks once per payment), who pays it, and the profile of its registry files.
/// </summary>
public sealed record AgentTerms(long AgentId, DateOnly ValidFrom, decimal CommissionPercent, CommissionPayer PaidBy, string RegistryProfile = "sber",
    string? Agent = null, DateTimeOffset? RecordedAt = null, string? RecordedBy = null);

/// <summary>
/// Agents' commission terms, insert-only and effective-dated: new terms are a new row from a later date, and nothing
/// already received is re-split, so terms may not start on or before a day the agent's payments were already received.
/// Payments read the terms in force on their day of receipt (<see cref="PaymentPosting"/>).
/// </summary>
public static partial class AgentTermsBook
{
    public static async Task<IReadOnlyList<AgentTerms>> ListAsync(string connectionString, long? agentId = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT t.agent_id, t.valid_from, t.commission_percent, t.commission_paid_by, t.registry_profile, coalesce(o.short_name, o.name), t.recorded_at, t.recorded_by
            FROM payment_agent_terms t JOIN organisations o ON o.id = t.agent_id
            WHERE @agent::bigint IS NULL OR t.agent_id = @agent
            ORDER BY 6, t.valid_from DESC
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("agent", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)agentId ?? DBNull.Value });
        var terms = new List<AgentTerms>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            terms.Add(new AgentTerms(r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetDecimal(2), r.GetString(3) == "payer" ? CommissionPayer.Payer : CommissionPayer.Recipient,
                r.GetString(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6), r.GetString(7)));
        return terms;
    }

    /// <summary>Checks the terms; the messages are by field (agentId, validFrom, commissionPercent, registryProfile), empty when all is well.</summary>
    public static Dictionary<string, string> Check(AgentTerms terms)
    {
        var errors = new Dictionary<string, string>();
        if (terms.CommissionPercent is < 0 or >= 100 || decimal.Round(terms.CommissionPercent, 4) != terms.CommissionPercent)
            errors["commissionPercent"] = "Комиссия — от 0 до 100 % (не включая 100), не более четырёх знаков после запятой";
        if (!Enum.IsDefined(terms.PaidBy)) errors["paidBy"] = "Укажите, кто платит комиссию: плательщик или получатель";
        if (string.IsNullOrWhiteSpace(terms.RegistryProfile) || !Profile().IsMatch(terms.RegistryProfile))
            errors["registryProfile"] = "Профиль реестра — латинские буквы, цифры, «-» и «_», до 40 символов, например sber";
        return errors;
    }

    /// <summary>Adds the terms; refuses bad input, a non-agent, and a start on or before a day already received from the agent.</summary>
    public static async Task AddAsync(string connectionString, AgentTerms terms, string recordedBy, DateTimeOffset now, CancellationToken ct = default)
    {
        if (Check(terms) is { Count: > 0 } errors) throw new PaymentException(string.Join("; ", errors.Values));
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The agent's row is locked against a concurrent change of its terms, but not against its payments (their foreign
        // key takes KEY SHARE, which NO KEY UPDATE lets through).
        await using (var cmd = new NpgsqlCommand("""
            SELECT o.kind, (SELECT max(received_on) FROM payments p WHERE p.agent_id = o.id), (SELECT max(valid_from) FROM payment_agent_terms t WHERE t.agent_id = o.id)
            FROM organisations o WHERE o.id = @agent FOR NO KEY UPDATE
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("agent", terms.AgentId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new PaymentException($"Организация №{terms.AgentId} не найдена");
            if ((OrganisationKind)r.GetInt32(0) is not (OrganisationKind.Bank or OrganisationKind.PaymentAgent))
                throw new PaymentException("Условия комиссии задаются только банку или платёжному агенту");
            if (!r.IsDBNull(1) && r.GetFieldValue<DateOnly>(1) is var received && terms.ValidFrom <= received)
                throw new PaymentException($"Платежи агента уже приняты по {received:dd.MM.yyyy} по прежним условиям: новые условия — не ранее {received.AddDays(1):dd.MM.yyyy}");
            if (!r.IsDBNull(2) && r.GetFieldValue<DateOnly>(2) is var latest && terms.ValidFrom <= latest)
                throw new PaymentException($"У агента уже есть условия с {latest:dd.MM.yyyy}: новые условия — с более поздней даты");
        }
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO payment_agent_terms (agent_id, valid_from, commission_percent, commission_paid_by, registry_profile, recorded_at, recorded_by)
            VALUES (@agent, @from, @percent, @by, @profile, @now, @who)
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("agent", terms.AgentId));
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("from", terms.ValidFrom));
            cmd.Parameters.Add(new NpgsqlParameter<decimal>("percent", terms.CommissionPercent));
            cmd.Parameters.Add(new NpgsqlParameter<string>("by", terms.PaidBy == CommissionPayer.Payer ? "payer" : "recipient"));
            cmd.Parameters.Add(new NpgsqlParameter<string>("profile", terms.RegistryProfile.Trim()));
            cmd.Parameters.Add(new NpgsqlParameter<string>("who", recordedBy));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex Profile();
}
