using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenErc.Operations.Tests;

/// <summary>
/// A minimal SMTP server on 127.0.0.1 for tests, without TLS: EHLO, AUTH PLAIN and LOGIN (checked against one login),
/// MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records the credentials presented and the letters accepted. Every connection
/// ends after <see cref="ConnectionTimeout"/> at most, and disposing stops the server.
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    public static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(20);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _user;
    private readonly string _password;
    private readonly bool _offerAuth;

    /// <param name="offerAuth">False: the server advertises no AUTH and refuses it, as a relay that takes letters unsigned.</param>
    public FakeSmtpServer(string user, string password, bool offerAuth = true)
    {
        _user = user;
        _password = password;
        _offerAuth = offerAuth;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The mechanism, login and password of every AUTH, accepted or not.</summary>
    public List<(string Mechanism, string User, string Password)> Logins { get; } = [];

    /// <summary>The letters accepted: envelope sender, recipients and the raw message.</summary>
    public List<(string From, List<string> To, byte[] Data)> Letters { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            // One client at a time: the sender makes one connection per letter.
            using (client)
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                timeout.CancelAfter(ConnectionTimeout);
                try { await ServeAsync(client.GetStream(), timeout.Token); }
                catch (Exception e) when (e is OperationCanceledException or IOException) { /* the client went away or took too long */ }
            }
        }
    }

    private async Task ServeAsync(NetworkStream stream, CancellationToken ct)
    {
        // The letters arrive 7-bit (MIME-encoded); Latin-1 keeps every byte as it came.
        using var reader = new StreamReader(stream, Encoding.Latin1);
        await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 fake.test ESMTP");
        bool signedIn = false;
        string? from = null;
        var to = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            var argument = line.Length > verb.Length ? line[(verb.Length + 1)..] : "";
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync(_offerAuth ? "250-fake.test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10485760" : "250-fake.test\r\n250 SIZE 10485760");
                    break;
                case "HELO" or "NOOP":
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "AUTH" when _offerAuth:
                    signedIn = await AuthenticateAsync(argument, reader, writer, ct);
                    await writer.WriteLineAsync(signedIn ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
                    break;
                case "MAIL" when _offerAuth && !signedIn:
                    await writer.WriteLineAsync("530 5.7.0 Authentication required");
                    break;
                case "MAIL":
                    from = Address(argument);
                    to.Clear();
                    await writer.WriteLineAsync("250 2.1.0 OK");
                    break;
                case "RCPT" when from is not null:
                    to.Add(Address(argument));
                    await writer.WriteLineAsync("250 2.1.5 OK");
                    break;
                case "DATA" when from is not null && to.Count > 0:
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(ct) is { } dataLine && dataLine != ".")
                        data.Append(dataLine.StartsWith('.') ? dataLine[1..] : dataLine).Append("\r\n");
                    lock (Letters) Letters.Add((from, [.. to], Encoding.Latin1.GetBytes(data.ToString())));
                    from = null;
                    await writer.WriteLineAsync("250 2.0.0 Queued");
                    break;
                case "RSET":
                    from = null;
                    to.Clear();
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("503 5.5.1 Bad sequence of commands");
                    break;
            }
        }
    }

    /// <summary>AUTH PLAIN [initial response] or AUTH LOGIN [user]: records what was presented, true when it is the login.</summary>
    private async Task<bool> AuthenticateAsync(string argument, StreamReader reader, StreamWriter writer, CancellationToken ct)
    {
        var parts = argument.Split(' ', 2);
        var mechanism = parts[0].ToUpperInvariant();
        async Task<string> AskAsync(string challenge)
        {
            await writer.WriteLineAsync("334 " + challenge);
            return await reader.ReadLineAsync(ct) ?? "";
        }
        static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));
        string user, password;
        if (mechanism == "PLAIN")
        {
            // authzid \0 authcid \0 password
            var fields = Decode(parts.Length > 1 ? parts[1] : await AskAsync("")).Split('\0');
            (user, password) = fields.Length == 3 ? (fields[1], fields[2]) : ("", "");
        }
        else if (mechanism == "LOGIN")
        {
            user = Decode(parts.Length > 1 ? parts[1] : await AskAsync(Convert.ToBase64String("Username:"u8)));
            password = Decode(await AskAsync(Convert.ToBase64String("Password:"u8)));
        }
        else return false;
        lock (Logins) Logins.Add((mechanism, user, password));
        return user == _user && password == _password;
    }

    private static string Address(string argument)
    {
        int open = argument.IndexOf('<'), close = argument.IndexOf('>');
        return open >= 0 && close > open ? argument[(open + 1)..close] : argument;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
