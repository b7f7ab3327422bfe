using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Common;

namespace OpenErc.Operations;

/// <summary>
/// The one place where a <see cref="BillingPeriod"/> crosses into SQL and back. A month is stored as the <c>date</c> of
/// its first day (<c>month</c>, <c>booking_month</c>, <c>service_month</c>, … and the monthly partitions' bounds), which is
/// also the lower bound a query of the month's days compares with (<c>received_on &gt;= @from</c>). Parameters, read values,
/// arrays and binary COPY fields of months go through here (<see cref="BinaryCopyWriter"/> encodes the same <see cref="Date(BillingPeriod)"/>),
/// so no query converts a month by hand; a test keeps it so.
/// </summary>
/// <remarks>
/// Not an Npgsql type mapping: a resolver of our own (<c>PgTypeInfoResolverFactory</c>, <c>PgConverter</c>) is still an
/// experimental API in Npgsql 10 (NPG9001/NPG9002), must be added to every data source — the operations open connections
/// from a connection string — and would not reach the raw binary COPY writer anyway. Two functions and their nullable
/// and array forms do the job in plain sight.
/// </remarks>
internal static class SqlMonths
{
    /// <summary>The <c>date</c> a month is stored as: its first day.</summary>
    public static DateOnly Date(BillingPeriod month) => month.FirstDay;

    /// <summary>The month a stored <c>date</c> stands for (a scalar, an array element): the month of that day.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A day outside 2000-01-01 … 2099-12-31: not a month of the centre.</exception>
    public static BillingPeriod Month(DateOnly date) => BillingPeriod.Of(date);

    /// <summary>A <c>date</c> parameter holding <paramref name="month"/>.</summary>
    public static NpgsqlParameter MonthParameter(string name, BillingPeriod month) => new NpgsqlParameter<DateOnly>(name, Date(month));

    /// <summary>A <c>date</c> parameter holding <paramref name="month"/>, SQL NULL for none.</summary>
    public static NpgsqlParameter MonthParameter(string name, BillingPeriod? month) =>
        new(name, NpgsqlDbType.Date) { Value = month is { } m ? Date(m) : DBNull.Value };

    /// <summary>
    /// The month's days as the half-open range of <c>date</c> parameters [<paramref name="from"/>, <paramref name="to"/>):
    /// its first day (the month's own stored date) and the first day of the next month.
    /// </summary>
    public static void AddMonthDays(this NpgsqlParameterCollection parameters, BillingPeriod month, string from = "from", string to = "to")
    {
        parameters.Add(MonthParameter(from, month));
        parameters.Add(new NpgsqlParameter<DateOnly>(to, month.End));
    }

    /// <summary>A <c>date[]</c> parameter holding <paramref name="months"/>.</summary>
    public static NpgsqlParameter MonthsParameter(string name, IEnumerable<BillingPeriod> months) =>
        new NpgsqlParameter<DateOnly[]>(name, months.Select(Date).ToArray());

    /// <summary>A <c>date[]</c> parameter holding <paramref name="months"/>, SQL NULL elements for none.</summary>
    public static NpgsqlParameter MonthsParameter(string name, IEnumerable<BillingPeriod?> months) =>
        new NpgsqlParameter<DateOnly?[]>(name, months.Select(m => m is { } month ? Date(month) : (DateOnly?)null).ToArray());

    /// <summary>The month in column <paramref name="ordinal"/> (a <c>date</c>).</summary>
    public static BillingPeriod GetMonth(this DbDataReader reader, int ordinal) => Month(reader.GetFieldValue<DateOnly>(ordinal));

    /// <summary>The month in column <paramref name="ordinal"/>, null for SQL NULL.</summary>
    public static BillingPeriod? GetMonthOrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetMonth(ordinal);

    /// <summary>The months in column <paramref name="ordinal"/> (a <c>date[]</c> with NULL elements allowed).</summary>
    public static BillingPeriod?[] GetMonths(this DbDataReader reader, int ordinal) =>
        Array.ConvertAll(reader.GetFieldValue<DateOnly?[]>(ordinal), d => d is { } day ? Month(day) : (BillingPeriod?)null);

    /// <summary>The month a scalar query answered (a <c>date</c>), null for SQL NULL or no row.</summary>
    public static BillingPeriod? MonthOrNull(object? scalar) => scalar is DateOnly date ? Month(date) : null;

    /// <summary>Writes <paramref name="month"/> as a <c>date</c> field of an <see cref="NpgsqlBinaryImporter"/>.</summary>
    public static void WriteMonth(this NpgsqlBinaryImporter copy, BillingPeriod month) => copy.Write(Date(month), NpgsqlDbType.Date);

    /// <summary>
    /// The name of <paramref name="table"/>'s partition of <paramref name="month"/> (<c>charge_lines_2026_11</c>): the
    /// tables partitioned by month name their partitions so (<c>ensure_charge_lines_partition</c>, <c>ensure_month_partition</c>).
    /// </summary>
    public static string Partition(string table, BillingPeriod month) => $"{table}_{month.Year:D4}_{month.Month:D2}";
}
