using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using JdMail.Actors.Directory;
using JdMail.Actors.Mailbox;
using JdMail.Actors.Net;
using JdMail.Actors.Pop3;
using JdMail.Actors.Settings;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Tests.Pop3;

/// <summary>
/// A real <see cref="Pop3SessionActor"/> per accepted loopback socket, a real directory on the in-memory journal, a
/// real self-signed certificate for STLS and POP3S, and a raw client that checks exact replies.
/// </summary>
public sealed class Pop3SessionSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string Password = "s3cret pass";
    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "jdmail-pop3-" + Guid.NewGuid().ToString("N"));
    private readonly MailRootPaths _paths;
    private readonly TlsContext _tls;
    private readonly X509Certificate2 _certificate;
    private readonly IActorRef _directory;
    private int _listeners;

    public Pop3SessionSpecs() : base(TestConfig)
    {
        System.IO.Directory.CreateDirectory(_root);
        _paths = new MailRootPaths(_root);
        _certificate = WriteServerCertificate(_paths);
        _tls = new TlsContext(_paths, new TlsSettings(SslProtocols.Tls12 | SslProtocols.Tls13, TimeSpan.FromSeconds(5)));
        _directory = Sys.ActorOf(DirectoryActor.Props(), "directory");
        _directory.Tell(new AddDomain("example.test"), TestActor);
        ExpectMsg<DirectoryDone>();
        _directory.Tell(new AddUser("example.test", "alice", PasswordHasher.Hash(Password, 1000), "U"), TestActor);
        ExpectMsg<DirectoryDone>();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { System.IO.Directory.Delete(_root, recursive: true); } catch (IOException) { /* best effort */ }
    }

    private string AliceMaildir => _paths.Maildir("example.test", "alice");

    private static X509Certificate2 WriteServerCertificate(MailRootPaths paths)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(paths.ServerCert, certificate.ExportCertificatePem());
        File.WriteAllText(paths.ServerKey, key.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>Starts a POP3 listener on a free loopback port and returns the port.</summary>
    private int StartServer(TlsMode tls = TlsMode.StartTls, bool authWithoutTls = false, int maxErrors = 10,
        TimeSpan? idle = null, int maxLine = 1024)
    {
        var settings = new Pop3Settings(idle ?? TimeSpan.FromMinutes(5), maxLine, maxErrors, authWithoutTls);
        var endpoint = new EndpointSettings($"pop3-{_listeners++}", Protocol.Pop3, tls, IPAddress.Loopback, 0);
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(ListenerBound));
        Sys.ActorOf(ListenerActor.Props(endpoint,
            socket => Pop3SessionActor.Props(socket, endpoint, _tls, settings, "mail.example.test", _paths, _directory), 100));
        var bound = probe.FishForMessage<ListenerBound>(b => b.Endpoint == endpoint);
        Sys.EventStream.Unsubscribe(probe);
        return bound.BoundTo.Port;
    }

    private string Deliver(string baseName, string content)
    {
        var source = Path.Combine(_root, "source-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(source, Encoding.Latin1.GetBytes(content));
        var name = Maildir.Deliver(AliceMaildir, baseName, source, 0);
        File.Delete(source);
        return Path.Combine(AliceMaildir, "new", name);
    }

    private async Task<Pop3TestClient> ConnectAsync(int port)
    {
        var client = await Pop3TestClient.ConnectAsync(port);
        Assert.Equal("+OK mail.example.test POP3 JdMail ready", await client.ReadLineAsync());
        return client;
    }

    private async Task StlsAsync(Pop3TestClient client)
    {
        Assert.Equal("+OK Begin TLS negotiation", await client.CommandAsync("STLS"));
        await client.HandshakeAsync(_certificate);
    }

    private static async Task<string?> LoginAsync(Pop3TestClient client, string user = "alice@example.test", string password = Password)
    {
        Assert.Equal("+OK Send PASS", await client.CommandAsync($"USER {user}"));
        return await client.CommandAsync($"PASS {password}");
    }

    private async Task<Pop3TestClient> LoggedInOverTlsAsync(int port)
    {
        var client = await ConnectAsync(port);
        await StlsAsync(client);
        Assert.StartsWith("+OK Maildrop has ", await LoginAsync(client));
        return client;
    }

    private void AwaitMailboxReleased() =>
        AwaitCondition(() => !MailboxLockRegistry.Shared.IsHeld(AliceMaildir), TimeSpan.FromSeconds(10));

    private const string DottedMessage =
        "From: bob@example.test\r\nTo: alice@example.test\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nplain \u00e9 line\r\n";

    [Fact]
    public async Task Capa_before_tls_offers_stls_but_neither_user_nor_sasl()
    {
        await using var client = await ConnectAsync(StartServer());

        await client.SendAsync("CAPA\r\n");

        Assert.Equal("+OK Capability list follows", await client.ReadLineAsync());
        Assert.Equal(["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS", "IMPLEMENTATION JdMail"],
            await client.ReadMultiLineAsync());
    }

    [Fact]
    public async Task User_and_auth_before_tls_are_refused_with_the_auth_code()
    {
        await using var client = await ConnectAsync(StartServer());

        Assert.Equal("-ERR [AUTH] TLS required for authentication, use STLS", await client.CommandAsync("USER alice@example.test"));
        Assert.Equal("-ERR Send USER first", await client.CommandAsync($"PASS {Password}"));
        Assert.Equal("-ERR [AUTH] TLS required for authentication, use STLS", await client.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Not logged in", await client.CommandAsync("STAT"));
    }

    [Fact]
    public async Task After_stls_capa_offers_user_and_sasl_without_stls_and_login_works()
    {
        Deliver("1700000001.a_0.mail.example.test", "Subject: one\r\n\r\nbody\r\n");
        await using var client = await ConnectAsync(StartServer());
        await StlsAsync(client);

        await client.SendAsync("CAPA\r\n");
        Assert.Equal("+OK Capability list follows", await client.ReadLineAsync());
        Assert.Equal(["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "SASL PLAIN", "IMPLEMENTATION JdMail"],
            await client.ReadMultiLineAsync());
        Assert.Equal("+OK Maildrop has 1 message (22 octets)", await LoginAsync(client));
        Assert.Equal("-ERR Already logged in", await client.CommandAsync("STLS"));
        Assert.Equal("+OK mail.example.test POP3 signing off", await client.CommandAsync("QUIT"));
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Stls_resets_the_session_to_a_fresh_authorization_state()
    {
        await using var client = await ConnectAsync(StartServer(authWithoutTls: true));
        Assert.Equal("+OK Send PASS", await client.CommandAsync("USER alice@example.test"));

        await StlsAsync(client);

        Assert.Equal("-ERR Send USER first", await client.CommandAsync($"PASS {Password}"));
        Assert.Equal("-ERR TLS already active", await client.CommandAsync("STLS"));
    }

    [Fact]
    public async Task Stls_with_pipelined_plaintext_closes_the_session()
    {
        await using var client = await ConnectAsync(StartServer());

        await client.SendAsync("STLS\r\nUSER alice@example.test\r\n");

        Assert.Equal("-ERR Pipelined data after STLS refused, closing connection", await client.ReadLineAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Stls_is_refused_on_an_endpoint_without_it()
    {
        await using var client = await ConnectAsync(StartServer(TlsMode.None));

        Assert.Equal("-ERR STLS not available on this port", await client.CommandAsync("STLS"));
        Assert.Equal("-ERR [AUTH] TLS required for authentication", await client.CommandAsync("USER alice@example.test"));
    }

    [Fact]
    public async Task Implicit_tls_greets_inside_tls_and_offers_login_without_stls()
    {
        await using var client = await Pop3TestClient.ConnectAsync(StartServer(TlsMode.Implicit), _certificate);
        Assert.Equal("+OK mail.example.test POP3 JdMail ready", await client.ReadLineAsync());

        await client.SendAsync("CAPA\r\n");
        Assert.Equal("+OK Capability list follows", await client.ReadLineAsync());
        var capabilities = await client.ReadMultiLineAsync();

        Assert.Contains("USER", capabilities);
        Assert.DoesNotContain("STLS", capabilities);
        Assert.StartsWith("+OK Maildrop has 0 messages", await LoginAsync(client));
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_reply()
    {
        await using var client = await ConnectAsync(StartServer());
        await StlsAsync(client);

        Assert.Equal("-ERR [AUTH] Authentication failed", await LoginAsync(client, password: "wrong"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await LoginAsync(client, user: "mallory@example.test"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await LoginAsync(client, user: "alice"));
        Assert.StartsWith("+OK Maildrop has ", await LoginAsync(client));
    }

    [Fact]
    public async Task Failed_logins_count_towards_the_error_limit()
    {
        await using var client = await ConnectAsync(StartServer(authWithoutTls: true, maxErrors: 2));

        Assert.Equal("-ERR [AUTH] Authentication failed", await LoginAsync(client, password: "wrong"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await LoginAsync(client, password: "wrong again"));
        Assert.Equal("-ERR Too many errors, closing connection", await client.ReadLineAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Auth_plain_works_with_an_initial_response_and_with_a_continuation_and_star_cancels()
    {
        var good = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0alice@example.test\0{Password}"));
        var otherIdentity = Convert.ToBase64String(Encoding.UTF8.GetBytes($"bob@example.test\0alice@example.test\0{Password}"));
        await using var client = await ConnectAsync(StartServer());
        await StlsAsync(client);

        Assert.Equal("+OK Mechanisms follow", await client.CommandAsync("AUTH"));
        Assert.Equal(["PLAIN"], await client.ReadMultiLineAsync());
        Assert.Equal("-ERR Unsupported authentication mechanism", await client.CommandAsync("AUTH CRAM-MD5"));
        Assert.Equal("+ ", await client.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Authentication cancelled", await client.CommandAsync("*"));
        Assert.Equal("+ ", await client.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Cannot decode response", await client.CommandAsync("not base64!"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync($"AUTH PLAIN {otherIdentity}"));
        Assert.Equal("+ ", await client.CommandAsync("AUTH PLAIN"));
        Assert.Equal("+OK Maildrop has 0 messages (0 octets)", await client.CommandAsync(good));
        Assert.Equal("+OK mail.example.test POP3 signing off", await client.CommandAsync("QUIT"));

        AwaitMailboxReleased();
        await using var second = await ConnectAsync(StartServer(authWithoutTls: true));
        Assert.Equal("+OK Maildrop has 0 messages (0 octets)", await second.CommandAsync($"AUTH PLAIN {good}"));
    }

    [Fact]
    public async Task Stat_list_uidl_and_retr_report_the_maildrop_and_retr_is_dot_stuffed_on_the_wire()
    {
        var first = Deliver("1700000001.a_0.mail.example.test", DottedMessage);
        Deliver("1700000002.b_0.mail.example.test", "Subject: two\r\n\r\nsecond\r\n");
        var size1 = new FileInfo(first).Length;
        await using var client = await LoggedInOverTlsAsync(StartServer());

        Assert.Equal($"+OK 2 {size1 + 24}", await client.CommandAsync("STAT"));
        Assert.Equal($"+OK Maildrop has 2 messages ({size1 + 24} octets)", await client.CommandAsync("LIST"));
        Assert.Equal([$"1 {size1}", "2 24"], await client.ReadMultiLineAsync());
        Assert.Equal("+OK 2 24", await client.CommandAsync("LIST 2"));
        Assert.Equal("-ERR No such message", await client.CommandAsync("LIST 3"));
        Assert.Equal("+OK Unique-ID listing follows", await client.CommandAsync("UIDL"));
        Assert.Equal(["1 1700000001.a_0.mail.example.test", "2 1700000002.b_0.mail.example.test"], await client.ReadMultiLineAsync());
        Assert.Equal("+OK 2 1700000002.b_0.mail.example.test", await client.CommandAsync("UIDL 2"));

        Assert.Equal($"+OK {size1} octets", await client.CommandAsync("RETR 1"));
        var wire = await client.ReadMultiLineRawAsync();
        Assert.Equal(
            "From: bob@example.test\r\nTo: alice@example.test\r\nSubject: dots\r\n\r\n..leading dot\r\n...two dots\r\n..\r\nplain \u00e9 line\r\n.\r\n",
            Encoding.Latin1.GetString(wire));
        Assert.Equal(DottedMessage, string.Concat(Pop3TestClient.Unstuff(wire).Select(l => l + "\r\n")));
        Assert.Equal("+OK", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Top_sends_the_header_and_the_requested_number_of_body_lines()
    {
        Deliver("1700000001.a_0.mail.example.test", DottedMessage);
        await using var client = await LoggedInOverTlsAsync(StartServer());

        Assert.Equal("+OK Top of message follows", await client.CommandAsync("TOP 1 2"));
        Assert.Equal(["From: bob@example.test", "To: alice@example.test", "Subject: dots", "", ".leading dot", "..two dots"],
            await client.ReadMultiLineAsync());
        Assert.Equal("+OK Top of message follows", await client.CommandAsync("TOP 1 0"));
        Assert.Equal(["From: bob@example.test", "To: alice@example.test", "Subject: dots", ""], await client.ReadMultiLineAsync());
    }

    [Fact]
    public async Task A_stored_message_without_a_final_crlf_still_ends_with_crlf_before_the_terminator()
    {
        Maildir.EnsureFolders(AliceMaildir);
        File.WriteAllText(Path.Combine(AliceMaildir, "new", "1700000001.raw"), "Subject: x\r\n\r\nno newline at end");
        await using var client = await LoggedInOverTlsAsync(StartServer());

        Assert.Equal("+OK 31 octets", await client.CommandAsync("RETR 1"));
        Assert.Equal("Subject: x\r\n\r\nno newline at end\r\n.\r\n", Encoding.Latin1.GetString(await client.ReadMultiLineRawAsync()));
    }

    [Fact]
    public async Task A_large_message_streams_intact_through_tls()
    {
        var body = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; i < 40_000; i++) body.Append(i % 5 == 0 ? $".dotted line {i} \u00fc\r\n" : $"line {i} of a large message\r\n");
        var path = Deliver("1700000001.big_0.mail.example.test", body.ToString());
        await using var client = await LoggedInOverTlsAsync(StartServer());

        Assert.Equal($"+OK {new FileInfo(path).Length} octets", await client.CommandAsync("RETR 1"));
        var lines = await client.ReadMultiLineAsync();

        Assert.Equal(body.ToString(), string.Concat(lines.Select(l => l + "\r\n")));
        Assert.Equal("+OK", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task A_message_removed_behind_the_sessions_back_is_reported_gone()
    {
        var path = Deliver("1700000001.a_0.mail.example.test", "Subject: one\r\n\r\nbody\r\n");
        await using var client = await LoggedInOverTlsAsync(StartServer());
        File.Delete(path);

        Assert.Equal("-ERR Message no longer available", await client.CommandAsync("RETR 1"));
        Assert.Equal("+OK 1 22", await client.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order_around_a_retr()
    {
        Deliver("1700000001.a_0.mail.example.test", "Subject: one\r\n\r\nbody\r\n");
        await using var client = await LoggedInOverTlsAsync(StartServer());

        await client.SendAsync("STAT\r\nRETR 1\r\nUIDL 1\r\nRETR 9\r\nNOOP\r\n");

        Assert.Equal("+OK 1 22", await client.ReadLineAsync());
        Assert.Equal("+OK 22 octets", await client.ReadLineAsync());
        Assert.Equal(["Subject: one", "", "body"], await client.ReadMultiLineAsync());
        Assert.Equal("+OK 1 1700000001.a_0.mail.example.test", await client.ReadLineAsync());
        Assert.Equal("-ERR No such message", await client.ReadLineAsync());
        Assert.Equal("+OK", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Deleted_messages_disappear_from_listings_and_rset_brings_them_back()
    {
        Deliver("1700000001.a_0.mail.example.test", "Subject: one\r\n\r\nbody\r\n");
        Deliver("1700000002.b_0.mail.example.test", "Subject: two\r\n\r\nsecond\r\n");
        await using var client = await LoggedInOverTlsAsync(StartServer());

        Assert.Equal("+OK Message 1 deleted", await client.CommandAsync("DELE 1"));
        Assert.Equal("-ERR Message is deleted", await client.CommandAsync("DELE 1"));
        Assert.Equal("+OK 1 24", await client.CommandAsync("STAT"));
        Assert.Equal("+OK Maildrop has 1 message (24 octets)", await client.CommandAsync("LIST"));
        Assert.Equal(["2 24"], await client.ReadMultiLineAsync());
        Assert.Equal("+OK Unique-ID listing follows", await client.CommandAsync("UIDL"));
        Assert.Equal(["2 1700000002.b_0.mail.example.test"], await client.ReadMultiLineAsync());
        Assert.Equal("-ERR Message is deleted", await client.CommandAsync("RETR 1"));
        Assert.Equal("-ERR Message is deleted", await client.CommandAsync("TOP 1 0"));

        Assert.Equal("+OK Maildrop has 2 messages (46 octets)", await client.CommandAsync("RSET"));
        Assert.Equal("+OK 2 46", await client.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Dele_then_quit_removes_the_file()
    {
        var first = Deliver("1700000001.a_0.mail.example.test", "Subject: one\r\n\r\nbody\r\n");
        var second = Deliver("1700000002.b_0.mail.example.test", "Subject: two\r\n\r\nsecond\r\n");
        await using var client = await LoggedInOverTlsAsync(StartServer());

        Assert.Equal("+OK Message 1 deleted", await client.CommandAsync("DELE 1"));
        Assert.Equal("+OK mail.example.test POP3 signing off", await client.CommandAsync("QUIT"));
        Assert.True(await client.IsClosedAsync());

        Assert.False(File.Exists(first));
        Assert.True(File.Exists(second));
    }

    [Fact]
    public async Task Dele_then_a_dropped_connection_keeps_the_file()
    {
        var first = Deliver("1700000001.a_0.mail.example.test", "Subject: one\r\n\r\nbody\r\n");
        var port = StartServer();
        await using (var client = await LoggedInOverTlsAsync(port))
        {
            Assert.Equal("+OK Message 1 deleted", await client.CommandAsync("DELE 1"));
        }

        AwaitMailboxReleased();
        Assert.True(File.Exists(first));
        await using var again = await LoggedInOverTlsAsync(port);
        Assert.Equal("+OK 1 22", await again.CommandAsync("STAT"));
    }

    [Fact]
    public async Task A_second_session_for_the_same_mailbox_gets_in_use_until_the_first_ends()
    {
        var port = StartServer();
        await using var first = await LoggedInOverTlsAsync(port);
        await using var second = await ConnectAsync(port);
        await StlsAsync(second);

        Assert.Equal("-ERR [IN-USE] Mailbox in use by another session", await LoginAsync(second));
        Assert.Equal("-ERR Not logged in", await second.CommandAsync("STAT"));

        Assert.Equal("+OK mail.example.test POP3 signing off", await first.CommandAsync("QUIT"));
        AwaitMailboxReleased();
        Assert.StartsWith("+OK Maildrop has ", await LoginAsync(second));
    }

    [Fact]
    public async Task Garbage_gets_an_error_and_the_session_goes_on_until_the_error_limit()
    {
        await using var client = await ConnectAsync(StartServer(maxErrors: 3));

        Assert.Equal("-ERR Unknown command", await client.CommandAsync("HELO"));
        await client.SendAsync([(byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xFF, (byte)'\r', (byte)'\n']);
        Assert.Equal("-ERR Invalid characters in command", await client.ReadLineAsync());
        Assert.Equal("-ERR Syntax error in arguments", await client.CommandAsync("QUIT now"));
        Assert.Equal("-ERR Too many errors, closing connection", await client.ReadLineAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task An_over_long_line_gets_an_error_and_a_close()
    {
        await using var client = await ConnectAsync(StartServer(maxLine: 512));

        await client.SendAsync("USER " + new string('a', 2000) + "\r\n");

        Assert.Equal("-ERR Line too long, closing connection", await client.ReadLineAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task An_idle_session_is_closed_without_a_reply()
    {
        await using var client = await ConnectAsync(StartServer(idle: TimeSpan.FromMilliseconds(300)));

        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Quit_before_login_just_says_goodbye()
    {
        await using var client = await ConnectAsync(StartServer());

        Assert.Equal("+OK mail.example.test POP3 signing off", await client.CommandAsync("QUIT"));
        Assert.True(await client.IsClosedAsync());
    }
}
