using Npgsql;

namespace OpenErc.Operations.Security;

/// <summary>
/// What an organisation's people see, the one rule for the workstation's access groups and the monthly mailing: a
/// management company the buildings it manages on the day; a supplier the buildings where it has a contract on the day and
/// the services it has ever supplied (its rows of the ledger). Management on a day: from its first day to its end day
/// inclusive, so that on the day of a handover both companies see the building; a contract: <c>[valid_from, valid_to)</c>.
/// </summary>
public static class OrganisationScope
{
    /// <summary>The buildings, and for a supplier (<paramref name="manager"/> false) the services, of organisation <paramref name="organisationId"/> on <paramref name="day"/>.</summary>
    public static async Task<(long[] Buildings, long[]? Services)> OfAsync(NpgsqlConnection conn, long organisationId, bool manager, DateOnly day, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(manager
            ? "SELECT ARRAY(SELECT DISTINCT building_id FROM building_managements WHERE organisation_id = @o AND valid_from <= @d AND (valid_to IS NULL OR valid_to >= @d)), NULL::bigint[]"
            : """
              SELECT ARRAY(SELECT DISTINCT building_id FROM service_contracts WHERE supplier_id = @o AND valid_from <= @d AND (valid_to IS NULL OR valid_to > @d)),
                     ARRAY(SELECT DISTINCT service_id FROM service_contracts WHERE supplier_id = @o)
              """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("o", organisationId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("d", day));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetFieldValue<long[]>(0), r.IsDBNull(1) ? null : r.GetFieldValue<long[]>(1));
    }
}
