using MimeKit;

namespace OpenErc.Operations.Mail;

/// <summary>How the connection to the mail server is protected.</summary>
public enum MailSecurity
{
    /// <summary>MailKit's choice: TLS from the first byte on port 465, elsewhere STARTTLS when the server offers it.</summary>
    Auto,

    /// <summary>No TLS: a relay on the same machine or network, and tests.</summary>
    None,

    /// <summary>STARTTLS, required: a server that does not offer it is refused (submission port 587).</summary>
    StartTls,

    /// <summary>Implicit TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>
/// The centre's outgoing mail, section <c>OpenErc:Mail</c>: an SMTP server with its login, or — with no host — a pickup folder of
/// <c>.eml</c> files for development and tests.
/// </summary>
public sealed record MailSettings
{
    /// <summary>The SMTP server; empty: letters are written to <see cref="PickupDirectory"/>.</summary>
    public string? Host { get; init; }

    /// <summary>The server's port; by default 465 with <see cref="MailSecurity.SslOnConnect"/>, else 587.</summary>
    public int? Port { get; init; }

    /// <summary>The login on the server; empty: letters are sent without signing in.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    public MailSecurity Security { get; init; } = MailSecurity.Auto;

    /// <summary>The sender of every letter: an address, or «Имя &lt;address&gt;».</summary>
    public string From { get; init; } = "epd@openerc.local";

    /// <summary>Where letters go as <c>.eml</c> files when no host is configured.</summary>
    public string PickupDirectory { get; init; } = ".openerc/mail";

    /// <summary>How often the queued letters of receipts are sent.</summary>
    public int IntervalSeconds { get; init; } = 30;

    /// <summary>How long one operation with the server (connecting, a command, the letter) may take.</summary>
    public int TimeoutSeconds { get; init; } = 60;

    public int EffectivePort => Port ?? (Security == MailSecurity.SslOnConnect ? 465 : 587);

    /// <summary>The settings' problems in Russian, none when they can be used.</summary>
    public IEnumerable<string> Problems()
    {
        if (!MailboxAddress.TryParse(From, out _)) yield return $"OpenErc:Mail:From: «{From}» — не адрес электронной почты";
        if (Port is < 1 or > 65535) yield return $"OpenErc:Mail:Port: {Port} — порт от 1 до 65535";
        if (IntervalSeconds < 1) yield return $"OpenErc:Mail:IntervalSeconds: {IntervalSeconds} — не меньше 1";
        if (TimeoutSeconds < 1) yield return $"OpenErc:Mail:TimeoutSeconds: {TimeoutSeconds} — не меньше 1";
        if (!string.IsNullOrEmpty(User) && string.IsNullOrEmpty(Host)) yield return "OpenErc:Mail:User задан без OpenErc:Mail:Host";
    }
}
