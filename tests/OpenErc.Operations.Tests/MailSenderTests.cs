using MimeKit;
using OpenErc.Operations.Mail;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The SMTP sender against <see cref="FakeSmtpServer"/> on loopback: the login is presented, the letter arrives readable.</summary>
public sealed class MailSenderTests
{
    private const string User = "epd@erc.example";
    private const string Password = "пароль-к-серверу";
    private static readonly DateTimeOffset Date = new(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(3));
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MailSettings Settings(int port, MailSecurity security = MailSecurity.None, string password = Password) => new()
    {
        Host = "127.0.0.1", Port = port, User = User, Password = password, Security = security, TimeoutSeconds = 10,
    };

    private static MimeMessage Letter() => Letters.Compose("ЕРЦ Новограда <epd@erc.example>", "ivanov@example.ru",
        "Платёжный документ за ноябрь 2026, лицевой счёт 1002003001", "Здравствуйте!\nВо вложении — платёжный документ.", Date,
        new MailAttachment("ЕПД 1002003001 2026-11.pdf", "%PDF-1.4 тест"u8.ToArray(), "application/pdf"));

    [Fact]
    public async Task A_letter_goes_to_the_server_signed_in_with_the_configured_login_and_arrives_readable()
    {
        await using var server = new FakeSmtpServer(User, Password);
        await new SmtpMailSender(Settings(server.Port)).SendAsync(Letter(), Ct);

        var login = server.Logins.ShouldHaveSingleItem();
        (login.User, login.Password).ShouldBe((User, Password));
        login.Mechanism.ShouldBeOneOf("PLAIN", "LOGIN");
        var (from, to, data) = server.Letters.ShouldHaveSingleItem();
        from.ShouldBe("epd@erc.example");
        to.ShouldBe(["ivanov@example.ru"]);
        var letter = MimeMessage.Load(new MemoryStream(data), Ct);
        letter.Subject.ShouldBe("Платёжный документ за ноябрь 2026, лицевой счёт 1002003001");
        letter.From.Mailboxes.ShouldHaveSingleItem().Name.ShouldBe("ЕРЦ Новограда");
        letter.Date.ShouldBe(Date);
        letter.TextBody!.ShouldContain("Во вложении — платёжный документ.");
        var attachment = letter.Attachments.OfType<MimePart>().ShouldHaveSingleItem();
        attachment.FileName.ShouldBe("ЕПД 1002003001 2026-11.pdf");
        attachment.ContentType.MimeType.ShouldBe("application/pdf");
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content, Ct);
        content.ToArray().ShouldBe("%PDF-1.4 тест"u8.ToArray());
    }

    [Fact]
    public async Task Auto_security_does_not_send_the_password_to_a_server_without_tls()
    {
        await using var server = new FakeSmtpServer(User, Password);
        var refused = await Should.ThrowAsync<MailKit.Security.AuthenticationException>(() =>
            new SmtpMailSender(Settings(server.Port, MailSecurity.Auto)).SendAsync(Letter(), Ct));
        refused.Message.ShouldStartWith($"Сервер почты 127.0.0.1:{server.Port} не предложил TLS: пароль не отправлен открытым текстом");
        Letters.IsRefusal(refused).ShouldBeTrue();
        server.Logins.ShouldBeEmpty();
        server.Letters.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_wrong_password_a_server_without_login_and_no_server_at_all_are_refusals_that_keep_the_letter()
    {
        await using (var server = new FakeSmtpServer(User, Password))
        {
            var wrong = await Should.ThrowAsync<MailKit.Security.AuthenticationException>(() =>
                new SmtpMailSender(Settings(server.Port, password: "не тот")).SendAsync(Letter(), Ct));
            Letters.IsRefusal(wrong).ShouldBeTrue();
            // MailKit tries each mechanism the server offers.
            server.Logins.ShouldNotBeEmpty();
            server.Logins.ShouldAllBe(l => l.User == User && l.Password == "не тот");
            server.Letters.ShouldBeEmpty();
        }
        await using (var relay = new FakeSmtpServer(User, Password, offerAuth: false))
        {
            var noLogin = await Should.ThrowAsync<MailKit.Security.AuthenticationException>(() =>
                new SmtpMailSender(Settings(relay.Port)).SendAsync(Letter(), Ct));
            noLogin.Message.ShouldBe($"Сервер почты 127.0.0.1:{relay.Port} не предлагает вход (AUTH), а в настройках указан OpenErc:Mail:User");
            relay.Letters.ShouldBeEmpty();
        }
        int closed;
        await using (var gone = new FakeSmtpServer(User, Password)) closed = gone.Port;
        var absent = await Should.ThrowAsync<Exception>(() => new SmtpMailSender(Settings(closed)).SendAsync(Letter(), Ct));
        Letters.IsRefusal(absent).ShouldBeTrue(absent.GetType().FullName);
    }
}
