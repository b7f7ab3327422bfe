using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Exchange.Legacy;
using OpenErc.Exchange.Readings;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Cabinet;

/// <summary>What a file of readings did: its lines, the readings saved, and every line refused with its place and reason.</summary>
public sealed record ReadingImportReport(int Lines, int Saved, IReadOnlyList<LegacyError> Refused);

/// <summary>
/// Readings in bulk (files of management companies, suppliers and automatic reading systems, exchange.md §3.4): each
/// line's account found by its own number or another one (<see cref="AccountAliases"/>), the meter by its serial number
/// among the account's premise's meters, and the reading checked by the cabinet's rules (<see cref="ReadingSubmission"/>:
/// not below the previous one unless a rollover, the digits, not twice a day). A line whose volume jumps is refused — a
/// file cannot confirm it, an operator can; a reading dated ahead of today is refused. The other lines are saved with the
/// file's channel; a reading in a closed month queues its building's recalculation like any registry change.
/// </summary>
public static class ReadingFiles
{
    public static async Task<ReadingImportReport> ImportAsync(OpenErcDbContext db, IReadOnlyList<ReadingRow> rows, IReadOnlyList<LegacyError> unread,
        ReadingSource source, ReadingRules rules, RegionClock clock, string by, CancellationToken ct = default)
    {
        var refused = new List<LegacyError>(unread);
        int saved = 0;
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var row in rows)
        {
            void Refuse(string reason) => refused.Add(new(row.Place, reason));
            if (row.On > clock.Today)
            {
                Refuse($"Дата показания {row.On:dd.MM.yyyy} ещё не наступила");
                continue;
            }
            if (await AccountAliases.MainNumberAsync(conn, row.Account, ct) is not { } number)
            {
                Refuse($"Лицевой счёт «{row.Account}» не найден");
                continue;
            }
            var account = await db.Accounts.AsNoTracking().Where(a => a.Number == number).Select(a => new { a.Id, a.PremiseId }).SingleAsync(ct);
            var meter = await db.Meters.AsNoTracking()
                .Where(m => m.SerialNumber == row.Meter && (m.PremiseId == account.PremiseId || m.AccountId == account.Id))
                .OrderByDescending(m => m.InstalledOn).FirstOrDefaultAsync(ct);
            if (meter is null)
            {
                Refuse($"У лицевого счёта {number} нет прибора учёта № {row.Meter}");
                continue;
            }
            if (row.On < meter.InstalledOn)
            {
                Refuse($"Прибор учёта {meter.SerialNumber} установлен {meter.InstalledOn:dd.MM.yyyy}: показание не может быть раньше");
                continue;
            }
            var outcome = await ReadingSubmission.SaveAsync(db, meter, row.Zone, row.Value, row.On, source, confirmed: false, clock.Now, rules, by,
                $"Показания из файла: {source.Title()}", ct);
            if (outcome.Saved) saved++;
            else Refuse(outcome.Warning is { } jump ? $"{jump.Split(". Проверьте")[0]}: не принято из файла — подтвердите показание вручную" : string.Join(" ", outcome.Errors));
        }
        return new ReadingImportReport(rows.Count + unread.Count, saved, refused);
    }
}
