using System.Net.Mail;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Receipts;

/// <summary>The seam to the mail server: the host plugs in SMTP, a pickup folder, or a provider's API.</summary>
public interface IMailSender
{
    Task SendAsync(MailMessage message, CancellationToken ct);
}

/// <summary>
/// Sends through <see cref="SmtpClient"/>: to a server when a host is configured, otherwise into a pickup folder as
/// <c>.eml</c> files (what a local mail relay or a test reads).
/// </summary>
public sealed class SmtpMailSender(string? host, int port, string pickupDirectory) : IMailSender
{
    public async Task SendAsync(MailMessage message, CancellationToken ct)
    {
        using var client = string.IsNullOrEmpty(host)
            ? new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = Directory.CreateDirectory(pickupDirectory).FullName }
            : new SmtpClient(host, port) { EnableSsl = port != 25 };
        await client.SendMailAsync(message, ct);
    }
}

/// <summary>
/// Electronic delivery of payment documents by e-mail through an outbox (<c>receipt_deliveries</c>): a request is
/// queued once per document and address (a repeated request changes nothing), and a worker sends what is queued, so
/// a mail server that is down delays the letters and loses none.
/// </summary>
public static class ReceiptDelivery
{
    /// <summary>How many times a letter is tried before it is marked failed.</summary>
    public const int MaxAttempts = 5;

    private static readonly System.Globalization.CultureInfo Ru = System.Globalization.CultureInfo.GetCultureInfo("ru-RU");

    /// <summary>Queues the account's document of the month (issued now if need be) for <paramref name="email"/>; returns the document number.</summary>
    public static async Task<long> QueueAsync(NpgsqlConnection conn, ReceiptSettings settings, string issuedBy, DateOnly today, long accountId,
        BillingPeriod month, string? email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(email) || !MailAddress.TryCreate(email.Trim(), out var address) || address.Address != email.Trim())
            throw new ReceiptException($"Неверный адрес электронной почты «{email}»");
        var document = await ReceiptIssuing.ForAccountAsync(conn, settings, issuedBy, today, accountId, month, ct);
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO receipt_deliveries (receipt_id, email) VALUES (@r, @e) ON CONFLICT (receipt_id, email) DO NOTHING", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("r", document.Number));
        cmd.Parameters.Add(new NpgsqlParameter<string>("e", address.Address));
        await cmd.ExecuteNonQueryAsync(ct);
        return document.Number;
    }

    /// <summary>Sends the queued letters (up to <paramref name="limit"/>) and returns how many went out.</summary>
    public static async Task<int> SendQueuedAsync(string connectionString, IMailSender sender, string from, RegionClock clock, int limit = 100,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var queued = new List<(long Id, string Email, string Document)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT d.id, d.email, r.document::text FROM receipt_deliveries d JOIN receipts r ON r.id = d.receipt_id
            WHERE d.state = 'queued' ORDER BY d.queued_at, d.id LIMIT @limit
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) queued.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
        }
        int sent = 0;
        foreach (var (id, email, json) in queued)
        {
            var document = ReceiptIssuing.Deserialize(json);
            string? error = null;
            try
            {
                using var message = Letter(document, from, email);
                await sender.SendAsync(message, ct);
                sent++;
            }
            catch (Exception e) when (e is SmtpException or IOException or UnauthorizedAccessException)
            {
                // The server or the pickup folder refused this letter: it stays queued for another attempt (up to
                // MaxAttempts), and the letters after it are still sent.
                error = e.Message;
            }
            await using var update = new NpgsqlCommand("""
                UPDATE receipt_deliveries SET attempts = attempts + 1, error = @error,
                    state = CASE WHEN @error IS NULL THEN 'sent' WHEN attempts + 1 >= @max THEN 'failed' ELSE 'queued' END,
                    sent_at = CASE WHEN @error IS NULL THEN @now END
                WHERE id = @id
                """, conn);
            update.Parameters.Add(new NpgsqlParameter<long>("id", id));
            update.Parameters.Add(new NpgsqlParameter("error", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter<int>("max", MaxAttempts));
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            await update.ExecuteNonQueryAsync(ct);
        }
        return sent;
    }

    private static MailMessage Letter(Core.Receipts.UnifiedPaymentDocument document, string from, string to)
    {
        var account = document.Payer.AccountNumber;
        var message = new MailMessage(from, to)
        {
            Subject = $"Платёжный документ за {document.Month.Name()}, лицевой счёт {account}",
            Body = $"""
                Здравствуйте!

                Во вложении — единый платёжный документ № {document.Number} за {document.Month.Name()} по лицевому счёту {account}
                ({document.Payer.Address}). К оплате: {document.Totals.ToPay.ToString("N2", Ru)} ₽.
                Оплатить можно по QR-коду документа в приложении любого банка.

                {document.Payee.Name}
                """,
        };
        message.Attachments.Add(new Attachment(new MemoryStream(ReceiptPdf.Render(document)), $"ЕПД {account} {document.Month}.pdf", "application/pdf"));
        return message;
    }
}
