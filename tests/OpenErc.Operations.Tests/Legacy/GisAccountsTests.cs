using MiniExcelLibs;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Exchange.Gis;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests.Legacy;

/// <summary>The accounts file for ГИС ЖКХ and the identifiers it gives back, kept as the accounts' other numbers.</summary>
public sealed class GisAccountsTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_accounts_go_out_as_the_template_and_the_els_and_service_id_come_back_as_other_numbers()
    {
        var cs = await cluster.CreateDatabaseAsync("gis_accounts");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        string number = AccountNumber.Create(1);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var rows = await GisAccounts.RowsAsync(conn, null, new DateOnly(2026, 5, 1), Ct);
        var row = rows.ShouldHaveSingleItem();
        (row.Number, row.AccountType, row.Premise, row.TotalArea, row.Share, row.Residents, row.UnifiedNumber).ShouldBe((number, "ЛС РЦ", "1", 50m, 1m, 2, (string?)null));

        var sheet = MiniExcel.Query(new MemoryStream(GisAccountsFile.Write(rows)), useHeaderRow: true).Cast<IDictionary<string, object?>>().Single();
        sheet[GisAccountsFile.NumberColumn].ShouldBe(number);
        sheet.Keys.ShouldBe(GisAccountsFile.Columns);

        byte[] Back(string els, string service)
        {
            using var stream = new MemoryStream();
            MiniExcel.SaveAs(stream, new[] { new Dictionary<string, object?>
            {
                [GisAccountsFile.NumberColumn] = number, [GisAccountsFile.UnifiedColumn] = els, [GisAccountsFile.ServiceIdColumn] = service,
            } });
            return stream.ToArray();
        }
        var (bad, _) = GisAccountsFile.ReadIdentifiers("gis.xlsx", Back("75DA533315", "75ДА533315-01"));
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock))
        {
            var (set, errors) = await GisAccounts.ImportIdentifiersAsync(db, bad, "оператор", Ct);
            (set, errors.Single().Reason).ShouldBe((0, "ЕЛС «75DA533315» не по образцу: 2 цифры, 2 заглавные русские буквы, 6 цифр (75ДА533315)"));
        }
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_aliases")).ShouldBe(0);

        var (good, unread) = GisAccountsFile.ReadIdentifiers("gis.xlsx", Back("75ДА533315", "75ДА533315-01"));
        unread.ShouldBeEmpty();
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock))
            (await GisAccounts.ImportIdentifiersAsync(db, good, "оператор", Ct)).Set.ShouldBe(2);
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock))
            (await GisAccounts.ImportIdentifiersAsync(db, good, "оператор", Ct)).Set.ShouldBe(0);
        (await AccountAliases.MainNumberAsync(conn, "75ДА533315-01", Ct)).ShouldBe(number);
        (await GisAccounts.RowsAsync(conn, flat.BuildingId, new DateOnly(2026, 5, 1), Ct)).Single().UnifiedNumber.ShouldBe("75ДА533315");
    }
}
