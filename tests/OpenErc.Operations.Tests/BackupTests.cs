using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// <c>openerc db backup</c> and <c>db restore</c>: a region charged, paid, closed and with its receipts issued, dumped by the real
/// command line and restored into an empty database of the test cluster, is the same database table for table; a database
/// that is not empty is refused and left as it was.
/// </summary>
public sealed class BackupTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("openerc-backup-").FullName;

    private static readonly RegionClock Clock = TestClock.On(2026, 12, 3);
    private static readonly BillingPeriod November = new(2026, 11);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A new database made without the schema template: as empty as <c>createdb</c> makes it.</summary>
    private async Task<string> EmptyDatabaseAsync(string name)
    {
        await cluster.Server.EnsureDatabaseAsync(name, Ct);
        return cluster.Server.ConnectionString(name);
    }

    /// <summary>Runs the real <c>openerc</c> command line to its end (two minutes at most): its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> OpenercAsync(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "openerc.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // A wide console: Spectre.Console wraps the output at the terminal's width.
        psi.Environment["COLUMNS"] = "400";
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task A_backup_of_a_working_region_restores_into_an_empty_database_with_the_same_balances_payments_and_receipts()
    {
        var source = await cluster.CreateDatabaseAsync("backup_source");
        await DemoRegion.GenerateAsync(source, new DemoOptions(60, 11, November), ct: Ct);
        (await BillingRun.RunAsync(source, November, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var agent = await PaymentRegistries.FindAgentAsync(source, DemoRegion.BankLogin, Ct) ?? throw new InvalidOperationException("no demo bank");
        var numbers = await Sql.ScalarAsync<string[]>(source, "SELECT array_agg(number ORDER BY number) FROM (SELECT number FROM personal_accounts ORDER BY number LIMIT 10) a");
        for (int i = 0; i < numbers.Length; i++)
            (await PaymentPosting.PostAsync(source, new PaymentIntake(agent, $"b{i}", PaymentChannel.Sber, numbers[i], 500m + i * 100,
                new DateTimeOffset(2026, 11, 9, 12, 0, 0, TimeSpan.FromHours(3))), new PostingOptions("тест", TestClock.On(2026, 11, 10)), Ct)).Accepted.ShouldBeTrue();
        await BillingPeriods.CloseAsync(source, November, Clock, "тест", Ct);
        (await ReceiptPrinting.PrintAsync(source, November, Path.Combine(_folder, "receipts"), new ReceiptSettings(), "тест", new DateOnly(2026, 12, 1), ct: Ct)).Receipts.ShouldBeGreaterThan(0);
        var expected = await Sql.DigestsAsync(source);
        foreach (var table in new[] { "account_balances", "payments", "payment_allocation_sets", "receipts", "receipt_prints", "charge_lines" })
            expected[table].ShouldNotStartWith("0 ", customMessage: $"{table} has rows to compare");

        var file = Path.Combine(_folder, "region.dump");
        var (code, output) = await OpenercAsync("--connection", source, "db", "backup", file);
        code.ShouldBe(0, output);
        output.ShouldContain($"Резервная копия записана: {file}");

        var target = await EmptyDatabaseAsync("backup_target");
        (await DatabaseBackup.ObjectsAsync(target, Ct)).ShouldBe(0);
        var report = await DatabaseBackup.RestoreAsync(target, file, Ct);
        report.Tables.ShouldBe(await Sql.ScalarAsync<long>(source,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"));

        (await Sql.DigestsAsync(target)).ShouldBe(expected);
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(target), Clock))
            (await db.Database.GetPendingMigrationsAsync(Ct)).ShouldBeEmpty("the migrations come with the dump");
        // The restored database works on: the next payment posts into the open month with the next number.
        (await PaymentPosting.PostAsync(target, new PaymentIntake(agent, "after-restore", PaymentChannel.Sber, numbers[0], 100m,
            new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.FromHours(3))), new PostingOptions("тест", Clock), Ct)).Accepted.ShouldBeTrue();
        (await Sql.ScalarAsync<long>(target, "SELECT count(*) FROM payments WHERE booking_month = '2026-12-01'")).ShouldBe(1);
    }

    [Fact]
    public async Task A_database_that_is_not_empty_or_a_file_that_is_no_dump_is_refused_and_nothing_changes()
    {
        var source = await cluster.CreateDatabaseAsync("backup_small");
        var file = Path.Combine(_folder, "small.dump");
        (await DatabaseBackup.BackupAsync(source, file, ct: Ct)).Bytes.ShouldBeGreaterThan(0);
        var size = new FileInfo(file).Length;
        (await Should.ThrowAsync<DatabaseBackupException>(() => DatabaseBackup.BackupAsync(source, file, ct: Ct)))
            .Message.ShouldBe($"Файл {file} уже существует: укажите другое имя или --overwrite, чтобы заменить его");
        new FileInfo(file).Length.ShouldBe(size);
        Directory.GetFiles(_folder).ShouldBe([file], "no partial file is left");

        var used = await cluster.CreateDatabaseAsync("backup_used");
        await Sql.ExecAsync(used, "INSERT INTO announcements (text, valid_from, created_by) VALUES ('Объявление', '2026-11-01', 'тест')");
        var before = await Sql.DigestsAsync(used);
        var refused = await Should.ThrowAsync<DatabaseBackupException>(() => DatabaseBackup.RestoreAsync(used, file, Ct));
        refused.Message.ShouldStartWith($"База данных «{new Npgsql.NpgsqlConnectionStringBuilder(used).Database}» не пуста (объектов: ");
        refused.Message.ShouldContain("восстановление выполняется только в пустую базу");
        var (code, output) = await OpenercAsync("--connection", used, "db", "restore", file);
        code.ShouldBe(1, output);
        output.ShouldContain("Восстановление не выполнено: База данных");
        (await Sql.DigestsAsync(used)).ShouldBe(before);

        var empty = await EmptyDatabaseAsync("backup_not_a_dump");
        var text = Path.Combine(_folder, "not-a-dump.sql");
        await File.WriteAllTextAsync(text, "CREATE TABLE t (id int);", Ct);
        (await Should.ThrowAsync<DatabaseBackupException>(() => DatabaseBackup.RestoreAsync(empty, text, Ct)))
            .Message.ShouldBe($"Файл {text} — не резервная копия (ожидается архив pg_dump, сделанный командой openerc db backup)");
        (await DatabaseBackup.ObjectsAsync(empty, Ct)).ShouldBe(0);
    }
}
