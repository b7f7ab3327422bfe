using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace OpenErc.Operations.Mail;

/// <summary>The seam to the mail server: the host plugs in SMTP, a pickup folder, or a provider's API.</summary>
public interface IMailSender
{
    /// <summary>Sends the letter; a refusal that a later attempt may overcome throws what <see cref="Letters.IsRefusal"/> recognises.</summary>
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>
/// Sends through MailKit's SMTP client to <see cref="MailSettings.Host"/>, signing in with the configured login over STARTTLS or
/// implicit TLS; with no host, writes each letter into <see cref="MailSettings.PickupDirectory"/> as an <c>.eml</c> file (what a
/// local mail relay or a test reads). One connection per letter: the outbox sends a few letters at a time.
/// </summary>
public sealed class SmtpMailSender(MailSettings settings) : IMailSender
{
    public MailSettings Settings => settings;

    public Task SendAsync(MimeMessage message, CancellationToken ct) =>
        string.IsNullOrEmpty(settings.Host) ? PickUpAsync(message, ct) : SubmitAsync(settings.Host, message, ct);

    private async Task SubmitAsync(string host, MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = checked(settings.TimeoutSeconds * 1000) };
        await client.ConnectAsync(host, settings.EffectivePort, settings.Security switch
        {
            MailSecurity.None => SecureSocketOptions.None,
            MailSecurity.StartTls => SecureSocketOptions.StartTls,
            MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        }, ct);
        if (!string.IsNullOrEmpty(settings.User))
        {
            // Auto falls back to a plain connection when the server offers no STARTTLS: the password is not sent over it
            // unless the administrator chose None on purpose.
            if (!client.IsSecure && settings.Security != MailSecurity.None)
                throw new AuthenticationException(
                    $"Сервер почты {settings.Host}:{settings.EffectivePort} не предложил TLS: пароль не отправлен открытым текстом " +
                    "(включите STARTTLS на сервере или укажите OpenErc:Mail:Security=None для доверенной сети)");
            if (!client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
                throw new AuthenticationException($"Сервер почты {settings.Host}:{settings.EffectivePort} не предлагает вход (AUTH), а в настройках указан OpenErc:Mail:User");
            await client.AuthenticateAsync(settings.User, settings.Password ?? "", ct);
        }
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }

    private async Task PickUpAsync(MimeMessage message, CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(settings.PickupDirectory).FullName;
        var name = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        // As it would travel: 7-bit, the Russian text and the attachment in base64 or quoted-printable. Written under
        // another name first, so a reader of *.eml never sees half a letter.
        message.Prepare(EncodingConstraint.SevenBit);
        await using (var file = File.Create(name + ".tmp"))
            await message.WriteToAsync(file, ct);
        File.Move(name + ".tmp", name + ".eml");
    }
}

/// <param name="FileName">The attachment's name as the recipient sees it (Cyrillic allowed).</param>
/// <param name="MediaType">Such as <c>application/pdf</c>.</param>
public sealed record MailAttachment(string FileName, byte[] Content, string MediaType);

/// <summary>The centre's letters: plain UTF-8 text with attachments, and which failures leave a letter for another attempt.</summary>
public static class Letters
{
    public static MimeMessage Compose(string from, string to, string subject, string text, DateTimeOffset date, params MailAttachment[] attachments)
    {
        var body = new BodyBuilder { TextBody = text };
        foreach (var a in attachments) body.Attachments.Add(a.FileName, a.Content, ContentType.Parse(a.MediaType));
        var message = new MimeMessage { Subject = subject, Date = date, Body = body.ToMessageBody() };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        return message;
    }

    /// <summary>
    /// A letter refused, which stays queued for another attempt: the server answered an error (a command, the login, TLS),
    /// broke the protocol or the connection or did not answer in time, the pickup folder was not writable, or an address
    /// could not be read. Anything else is a fault of the program and is not swallowed.
    /// </summary>
    public static bool IsRefusal(Exception e) => e is CommandException or ProtocolException or ServiceNotConnectedException
        or ServiceNotAuthenticatedException or AuthenticationException or SslHandshakeException or IOException
        or System.Net.Sockets.SocketException or TimeoutException or UnauthorizedAccessException or ParseException;

    /// <summary>
    /// Sends letters of an outbox table (<c>id, state ('queued', 'sent', 'failed'), attempts, error, sent_at</c>), each
    /// composed when its turn comes, and records every attempt: a refused letter stays queued for another round up to
    /// <paramref name="maxAttempts"/> and is then failed; the letters after it are still sent. Returns how many went out.
    /// </summary>
    public static async Task<int> SendOutboxAsync(Npgsql.NpgsqlConnection conn, string table, IEnumerable<(long Id, Func<MimeMessage> Compose)> letters,
        IMailSender sender, DateTimeOffset now, int maxAttempts, CancellationToken ct)
    {
        int sent = 0;
        foreach (var (id, compose) in letters)
        {
            string? error = null;
            try
            {
                using var message = compose();
                await sender.SendAsync(message, ct);
                sent++;
            }
            catch (Exception e) when (IsRefusal(e))
            {
                error = e.Message;
            }
            await using var update = new Npgsql.NpgsqlCommand($"""
                UPDATE {table} SET attempts = attempts + 1, error = @error,
                    state = CASE WHEN @error IS NULL THEN 'sent' WHEN attempts + 1 >= @max THEN 'failed' ELSE 'queued' END,
                    sent_at = CASE WHEN @error IS NULL THEN @now END
                WHERE id = @id
                """, conn);
            update.Parameters.Add(new Npgsql.NpgsqlParameter<long>("id", id));
            update.Parameters.Add(new Npgsql.NpgsqlParameter("error", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            update.Parameters.Add(new Npgsql.NpgsqlParameter<int>("max", maxAttempts));
            update.Parameters.Add(new Npgsql.NpgsqlParameter<DateTimeOffset>("now", now));
            await update.ExecuteNonQueryAsync(ct);
        }
        return sent;
    }
}
