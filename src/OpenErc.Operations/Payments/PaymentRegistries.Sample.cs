using System.Globalization;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Exchange.Registries;

namespace OpenErc.Operations.Payments;

/// <summary>
/// One line of a bank's registry: when it was paid (the region's local time), the bank's operation id, the account, payer,
/// amount and commission, the period the payer named (a receipt's QR code), and the branch and terminal that took it.
/// </summary>
public sealed record RegistryEntry(DateTime PaidAt, string OperationId, string AccountNumber, string? Payer, decimal Amount, decimal Commission,
    BillingPeriod? Period = null, string Branch = "8593", string Terminal = "8593/0001");

public static partial class PaymentRegistries
{
    private static readonly string[] SamplePayers =
        ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Сидоров Пётр Алексеевич", "Кузнецова Мария Ивановна", "Смирнов Олег Викторович"];

    /// <summary>
    /// Writes a registry of <paramref name="lines"/> payments in the built-in <see cref="RegistryProfile.Sber"/> layout,
    /// Windows-1251, paid on <paramref name="day"/> between 08:00 and 20:00 to <paramref name="accountNumbers"/> in turn,
    /// 100.00–5 000.00 ₽ each with a 1 % commission, operation ids <c>{prefix}{n}</c>; the same arguments give the same
    /// file. For demonstrations and the payments benchmark.
    /// </summary>
    public static void WriteSample(Stream output, IReadOnlyList<string> accountNumbers, int lines, DateOnly day, int seed = 1, string prefix = "S")
    {
        if (accountNumbers.Count == 0) throw new PaymentException("Нет лицевых счетов для примера реестра");
        var random = new Random(seed);
        Write(output, Enumerable.Range(0, lines).Select(i =>
        {
            decimal amount = random.Next(10_000, 500_001) / 100m;
            var time = new TimeOnly(8, 0).Add(TimeSpan.FromSeconds(random.Next(12 * 3600)));
            return new RegistryEntry(day.ToDateTime(time), string.Create(CultureInfo.InvariantCulture, $"{prefix}{i + 1}"), accountNumbers[i % accountNumbers.Count],
                SamplePayers[i % SamplePayers.Length], amount, decimal.Round(amount / 100m, 2, MidpointRounding.AwayFromZero),
                Terminal: string.Create(CultureInfo.InvariantCulture, $"8593/{i % 50:D4}"));
        }));
    }

    /// <summary>
    /// Writes <paramref name="entries"/> as a registry in the built-in <see cref="RegistryProfile.Sber"/> layout, Windows-1251,
    /// with its footer (count, total, commission), as a bank would send it: the same entries give the same file.
    /// </summary>
    public static void Write(Stream output, IEnumerable<RegistryEntry> entries)
    {
        using var writer = new StreamWriter(output, RegistryParser.Windows1251, 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        int lines = 0;
        decimal total = 0, commission = 0;
        foreach (var e in entries)
        {
            (lines, total, commission) = (lines + 1, total + e.Amount, commission + e.Commission);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{e.PaidAt:dd-MM-yyyy};{e.PaidAt:HH-mm-ss};{e.Branch};{e.Terminal};{e.OperationId};{e.AccountNumber};{e.Payer};;{e.Period?.FirstDay.ToString("MMyyyy", CultureInfo.InvariantCulture)};"));
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Amount:0.00};{e.Commission:0.00}").Replace('.', ','));
        }
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"={lines};{total:0.00};{commission:0.00}").Replace('.', ','));
    }

    /// <summary><see cref="WriteSample"/> to the open accounts of the database, at most <paramref name="accounts"/> of them (by number).</summary>
    public static async Task GenerateSampleAsync(string connectionString, Stream output, int lines, DateOnly day, int accounts = int.MaxValue, int seed = 1,
        string prefix = "S", CancellationToken ct = default)
    {
        var numbers = new List<string>();
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT number FROM personal_accounts WHERE closed_on IS NULL ORDER BY number LIMIT @limit", conn);
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", accounts));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) numbers.Add(r.GetString(0));
        }
        WriteSample(output, numbers, lines, day, seed, prefix);
    }
}
