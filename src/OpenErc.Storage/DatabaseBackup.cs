using System.Diagnostics;
using Npgsql;

namespace OpenErc.Storage;

/// <param name="File">The dump written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Elapsed">How long pg_dump took.</param>
public sealed record BackupReport(string File, long Bytes, TimeSpan Elapsed);

/// <param name="Tables">Tables of the database after the restore.</param>
/// <param name="Elapsed">How long pg_restore took.</param>
public sealed record RestoreReport(string File, string Database, long Tables, TimeSpan Elapsed);

/// <summary>A backup or a restore refused or failed; the message is for the operator, in Russian.</summary>
public sealed class DatabaseBackupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Backups that restore: <c>pg_dump -Fc</c> of the whole database (schema, migrations history, data and sequences, from one
/// snapshot, so it is consistent while the host works) and <c>pg_restore</c> of such a dump into an empty database. Both run
/// the programs of the PostgreSQL installation the embedded cluster uses (env <c>OPENERC_PG_BIN</c>, else the newest
/// <c>/usr/lib/postgresql/*/bin</c>) as the current user and connect over the connection string's server with its
/// credentials; the password goes to them in the environment (<c>PGPASSWORD</c>), never on the command line.
/// </summary>
public static class DatabaseBackup
{
    /// <summary>The first bytes of a custom-format archive of pg_dump.</summary>
    private static readonly byte[] ArchiveMagic = "PGDMP"u8.ToArray();

    /// <summary>
    /// Dumps the database of <paramref name="connectionString"/> into <paramref name="file"/> (custom format, compressed).
    /// The dump is written under a temporary name and renamed when complete, so a failed or cancelled backup leaves no
    /// file that looks whole; an existing file is kept unless <paramref name="overwrite"/>.
    /// </summary>
    public static async Task<BackupReport> BackupAsync(string connectionString, string file, bool overwrite = false, CancellationToken ct = default)
    {
        var target = Path.GetFullPath(file);
        if (Directory.Exists(target))
            throw new DatabaseBackupException($"«{target}» — папка: укажите имя файла резервной копии");
        if (File.Exists(target) && !overwrite)
            throw new DatabaseBackupException($"Файл {target} уже существует: укажите другое имя или --overwrite, чтобы заменить его");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        var elapsed = Stopwatch.StartNew();
        try
        {
            await RunAsync("pg_dump", connectionString, ct, "--format=custom", "--no-password", "--file=" + partial, "--dbname=" + ConnInfo(connectionString));
            File.Move(partial, target, overwrite);
        }
        finally
        {
            File.Delete(partial);
        }
        return new BackupReport(target, new FileInfo(target).Length, elapsed.Elapsed);
    }

    /// <summary>
    /// Restores a dump of <see cref="BackupAsync"/> into the database of <paramref name="connectionString"/>, which must be
    /// empty (no tables, views, sequences or functions of its own): a database in use is refused and left as it was. Objects
    /// are owned by the restoring user and grants are not restored (<c>--no-owner --no-acl</c>), so the dump restores on
    /// another server with other roles; the first error stops the restore (<c>--exit-on-error</c>). The schema's
    /// migrations come with the dump: nothing is to be migrated after it.
    /// </summary>
    public static async Task<RestoreReport> RestoreAsync(string connectionString, string file, CancellationToken ct = default)
    {
        var source = Path.GetFullPath(file);
        if (!File.Exists(source)) throw new DatabaseBackupException($"Файл резервной копии {source} не найден");
        await using (var stream = File.OpenRead(source))
        {
            var head = new byte[ArchiveMagic.Length];
            if (await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct) < head.Length || !head.AsSpan().SequenceEqual(ArchiveMagic))
                throw new DatabaseBackupException($"Файл {source} — не резервная копия (ожидается архив pg_dump, сделанный командой openerc db backup)");
        }
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database ?? "";
        if (await ObjectsAsync(connectionString, ct) is > 0 and var objects)
            throw new DatabaseBackupException(
                $"База данных «{database}» не пуста (объектов: {objects}): восстановление выполняется только в пустую базу. " +
                "Создайте новую базу (createdb -T template0 ИМЯ) или укажите новую папку встроенного кластера (--data ПАПКА)");
        var elapsed = Stopwatch.StartNew();
        try
        {
            await RunAsync("pg_restore", connectionString, ct, "--no-owner", "--no-acl", "--exit-on-error", "--no-password",
                "--dbname=" + ConnInfo(connectionString), source);
        }
        catch (DatabaseBackupException e)
        {
            throw new DatabaseBackupException(e.Message + Environment.NewLine +
                "База данных могла остаться частично восстановленной: удалите её, создайте пустую заново и повторите восстановление", e);
        }
        return new RestoreReport(source, database, await TablesAsync(connectionString, ct), elapsed.Elapsed);
    }

    /// <summary>
    /// Objects of the database's own in its schemas: relations (tables, indexes, sequences, views) and functions that no
    /// extension brought. An extension alone (a fresh database's plpgsql) leaves a database empty.
    /// </summary>
    public static Task<long> ObjectsAsync(string connectionString, CancellationToken ct = default) => CountAsync(connectionString, """
        SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {0})
             + (SELECT count(*) FROM pg_proc c JOIN pg_namespace n ON n.oid = c.pronamespace WHERE {0}
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = c.oid AND d.deptype = 'e'))
        """, ct);

    private static Task<long> TablesAsync(string connectionString, CancellationToken ct) => CountAsync(connectionString,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND {0}", ct);

    private static async Task<long> CountAsync(string connectionString, string sql, CancellationToken ct)
    {
        const string ownSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, ownSchemas), conn);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task RunAsync(string tool, string connectionString, CancellationToken ct, params string[] args)
    {
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password;
        var environment = new Dictionary<string, string> { ["PGAPPNAME"] = "openerc " + tool };
        if (!string.IsNullOrEmpty(password)) environment["PGPASSWORD"] = password;
        try
        {
            await LocalPostgres.RunAsync(LocalPostgres.FindBinaries(), tool, asPostgres: false, environment, ct, args);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // The program failed (its own message, often naming the server's refusal), or is not installed.
            throw new DatabaseBackupException(e.Message, e);
        }
    }

    /// <summary>The libpq connection string of the server, database and user of an Npgsql one, without the password.</summary>
    internal static string ConnInfo(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var pairs = new List<(string Key, string? Value)>
        {
            ("host", b.Host), ("port", b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("dbname", b.Database), ("user", b.Username),
            ("sslmode", b.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            }),
        };
        if (b.Timeout > 0) pairs.Add(("connect_timeout", b.Timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return string.Join(' ', pairs.Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Key}='{p.Value!.Replace(@"\", @"\\").Replace("'", @"\'")}'"));
    }
}
