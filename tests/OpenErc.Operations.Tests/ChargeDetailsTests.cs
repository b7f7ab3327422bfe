using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// A posting's details leave out what the view computes back (README, «The ledger of charges»): an amount that is its
/// unrounded amount rounded, an unrounded amount that is the product as the database rounds it, a trace value equal to
/// the volume or rate. Lines at the edges of the two roundings read back as the calculator made them.
/// </summary>
public sealed class ChargeDetailsTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod Month = new(2026, 11);

    private static readonly string[] Names = ["Площадь", "Объём", "Тариф"];

    private static ChargeLine Line(long account, decimal volume, decimal rate, decimal coefficient = 1m, decimal dayFactor = 1m, decimal? unrounded = null,
        params decimal[] values)
    {
        decimal u = unrounded ?? volume * rate * coefficient * dayFactor;
        var inputs = values.Select((v, i) => new TraceInput(Names[i], v, "ед.")).ToList();
        return new ChargeLine(account, "cold_water", 9, Month, TariffZone.Single, volume, "м³", rate, coefficient, dayFactor, VolumeSource.Norm, u,
            Money.RoundToKopecks(u), new ChargeTrace("V × T", "ПП 354 п. 42", inputs));
    }

    [Fact]
    public async Task Lines_at_the_edges_of_rounding_read_back_as_the_calculator_made_them()
    {
        var cs = await cluster.CreateDatabaseAsync("charge_details");
        ChargeLine[] lines =
        [
            Line(1, 31.9m, 17.13m, values: [31.9m, 17.13m]),                                  // exact: 546.447, both left out
            Line(2, 0.1339376926792850555531158052m, 58.61m, values: [0.0323m, 0.1339376926792850555531158052m, 58.61m]), // 28 digits kept, 30 in the product
            Line(3, -0.1339376926792850555531158052m, 58.61m),                                 // negative
            Line(4, 0.0000000000000000000000000005m, 0.5m),                                    // a tie: the calculator rounds to even (0), SQL away (1e-28)
            Line(5, 2.47m, 0.5m),                                                              // 1.235: a tie at the kopeck, half away from zero both
            Line(6, 123456789.123456789123456789m, 58.61m),                                    // fewer decimals fit in 96 bits
            Line(7, 9.9999999999999999999999999999m, 7.9228162514264337593543950335m),           // at the edge of 96 bits
            Line(8, 1.5m, 58.61m, 1.5m, 10m / 31m),                                            // a day factor of 10/31: the roundings land on the product's
            Line(9, 1.5m, 58.61m, 1m, 10m / 31m, unrounded: 1.5m * 58.61m * 10m / 31m),        // the calculator's order, not the view's
            Line(10, 0m, 0m, unrounded: -100.255m),                                            // a benefit: the amount is not a product
        ];
        lines[9] = lines[9] with { Amount = Money.Exact(-100.25m) };
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await ChargeLedger.EnsurePartitionAsync(conn, Month, Ct);
        await using (var tx = await conn.BeginTransactionAsync(Ct))
        {
            (await ChargeLedger.PostAsync(conn, [.. lines.Select(l => new PostedLine(7, 1, Month, 1, l))], Ct)).ShouldBe(lines.Length);
            await tx.CommitAsync(Ct);
        }

        await using var cmd = new NpgsqlCommand("SELECT account_id, volume, rate, unrounded, amount, trace_values FROM charge_line_details ORDER BY account_id", conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        foreach (var line in lines)
        {
            (await r.ReadAsync(Ct)).ShouldBeTrue();
            r.GetInt64(0).ShouldBe(line.AccountId);
            r.GetDecimal(1).ShouldBe(line.Volume);
            r.GetDecimal(2).ShouldBe(line.Rate);
            r.GetDecimal(3).ShouldBe(line.Unrounded, $"account {line.AccountId}");
            r.GetDecimal(4).ShouldBe(line.Amount.Amount, $"account {line.AccountId}");
            r.GetString(5).ShouldBe(ChargeTraces.Encode(line.Trace).Values);
        }
        await r.DisposeAsync();

        var sections = (await Sql.ScalarAsync<string>(cs, "SELECT data FROM charge_details")).Split('\n');
        sections.Length.ShouldBe(ChargeDetails.Fields);
        sections[12].Split('\t').Select(v => v.Length == 0).ShouldBe([true, true, true, false, true, true, true, true, false, false]);
        sections[13].Split('\t').Select(v => v.Length == 0).ShouldBe([true, true, true, true, true, true, true, true, true, false]);
        sections[15].Split('\t')[0].ShouldBe("v;r");
        sections[15].Split('\t')[1].ShouldBe("0.0323;v;r");
    }
}
