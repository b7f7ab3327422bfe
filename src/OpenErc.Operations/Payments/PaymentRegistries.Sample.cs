using System.Globalization;
using Npgsql;

namespace OpenErc.Operations.Payments;

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
        using var writer = new StreamWriter(output, RegistryParser.Windows1251, 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        decimal total = 0, commission = 0;
        for (int i = 0; i < lines; i++)
        {
            decimal amount = random.Next(10_000, 500_001) / 100m;
            decimal fee = decimal.Round(amount / 100m, 2, MidpointRounding.AwayFromZero);
            (total, commission) = (total + amount, commission + fee);
            var time = new TimeOnly(8, 0).Add(TimeSpan.FromSeconds(random.Next(12 * 3600)));
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{day:dd-MM-yyyy};{time:HH-mm-ss};8593;8593/{i % 50:D4};{prefix}{i + 1};{accountNumbers[i % accountNumbers.Count]};{SamplePayers[i % SamplePayers.Length]};;;"));
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{amount:0.00};{fee:0.00}").Replace('.', ','));
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
