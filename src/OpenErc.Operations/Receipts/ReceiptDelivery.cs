using System.Net.Mail;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Mail;

namespace OpenErc.Operations.Receipts;

/// <summary>
/// Electronic delivery of payment documents by e-mail through an outbox (<c>receipt_deliveries</c>): a request is
/// queued once per document and address (a repeated request changes nothing), and a worker sends what is queued, so
/// a mail server that is down delays the letters and loses none. A letter's document carries no cabinet registration
/// code: the address was typed by whoever asked, and the code lets its holder register as the account's citizen (it reaches
/// the citizen on the paper document and in the cabinet).
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
        // The letters without the cabinet registration code.
        return await Letters.SendOutboxAsync(conn, "receipt_deliveries",
            queued.Select(q => (q.Id, (Func<MimeKit.MimeMessage>)(() => Letter(WithoutCode(ReceiptIssuing.Deserialize(q.Document)), from, q.Email, clock.Now)))),
            sender, clock.Now, MaxAttempts, ct);
    }

    /// <summary>The document as a letter carries it: without the cabinet registration code.</summary>
    public static Core.Receipts.UnifiedPaymentDocument WithoutCode(Core.Receipts.UnifiedPaymentDocument document) =>
        document with { Payer = document.Payer with { RegistrationCode = null } };

    private static MimeKit.MimeMessage Letter(Core.Receipts.UnifiedPaymentDocument document, string from, string to, DateTimeOffset date)
    {
        var account = document.Payer.AccountNumber;
        return Letters.Compose(from, to, $"Платёжный документ за {document.Month.Name()}, лицевой счёт {account}", $"""
            Здравствуйте!

            Во вложении — единый платёжный документ № {document.Number} за {document.Month.Name()} по лицевому счёту {account}
            ({document.Payer.Address}). К оплате: {document.Totals.ToPay.ToString("N2", Ru)} ₽.
            Оплатить можно по QR-коду документа в приложении любого банка.

            {document.Payee.Name}
            """, date, new MailAttachment($"ЕПД {account} {document.Month}.pdf", ReceiptPdf.Render(document), "application/pdf"));
    }
}
