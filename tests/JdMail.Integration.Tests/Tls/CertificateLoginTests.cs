using System.Text;

namespace JdMail.Integration.Tests.Tls;

/// <summary>SASL EXTERNAL (RFC 4422 Appendix A) in SMTP (RFC 4954) and POP3 (RFC 5034) from a verified client certificate.</summary>
public sealed class CertificateLoginTests : IAsyncLifetime
{
    private ServerFixture _server = null!;
    private ClientCert _alice = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync("jdmail.tls.client-certificates { want-verify = true, use-certs-file = true }");
        _alice = TestIssuer.FromMailRoot(_server.MailRoot).Client("alice@example.test");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task Alices_certificate_logs_alice_in_over_smtp_and_may_relay()
    {
        using var c = await RawSmtp.ConnectTlsAsync(_server.Port("smtps"), _server.CaCertificate, _alice);
        await c.ExpectAsync("220 ");
        await c.SendAsync("EHLO client.test");
        Assert.Contains(await c.ReadReplyLinesAsync(), l => l.StartsWith("250-AUTH EXTERNAL") || l.StartsWith("250 AUTH EXTERNAL"));
        await c.SendAsync("AUTH EXTERNAL =");
        await c.ExpectAsync("235 2.7.0");
        // Authenticated: relaying to another domain is allowed.
        await c.SendAsync("MAIL FROM:<alice@example.test>");
        await c.ExpectAsync("250 ");
        await c.SendAsync("RCPT TO:<someone@elsewhere.test>");
        await c.ExpectAsync("250 ");
    }

    [Fact]
    public async Task Alices_certificate_cannot_log_in_as_bob()
    {
        using var c = await RawSmtp.ConnectTlsAsync(_server.Port("smtps"), _server.CaCertificate, _alice);
        await c.ExpectAsync("220 ");
        await c.SendAsync("EHLO client.test");
        await c.ReadReplyLinesAsync();
        await c.SendAsync("AUTH EXTERNAL " + B64("bob@example.test"));
        await c.ExpectAsync("535 5.7.8");
        // The continuation form with alice's own name works.
        await c.SendAsync("AUTH EXTERNAL");
        await c.ExpectAsync("334");
        await c.SendAsync(B64("alice@example.test"));
        await c.ExpectAsync("235 ");
    }

    [Fact]
    public async Task Without_a_certificate_external_is_not_offered_and_is_refused()
    {
        using var c = await RawSmtp.ConnectTlsAsync(_server.Port("smtps"), _server.CaCertificate);
        await c.ExpectAsync("220 ");
        await c.SendAsync("EHLO client.test");
        Assert.DoesNotContain(await c.ReadReplyLinesAsync(), l => l.Contains("EXTERNAL"));
        await c.SendAsync("AUTH EXTERNAL =");
        await c.ExpectAsync("535 ");
    }

    [Fact]
    public async Task A_certificate_for_an_address_without_an_account_logs_nobody_in()
    {
        var stranger = TestIssuer.FromMailRoot(_server.MailRoot).Client("mallory@example.test");
        using var c = await RawSmtp.ConnectTlsAsync(_server.Port("smtps"), _server.CaCertificate, stranger);
        await c.ExpectAsync("220 ");
        await c.SendAsync("EHLO client.test");
        await c.ReadReplyLinesAsync();
        await c.SendAsync("AUTH EXTERNAL =");
        await c.ExpectAsync("535 ");
    }

    [Fact]
    public async Task Pop3_auth_external_opens_alices_mailbox_only()
    {
        using var c = await RawSmtp.ConnectTlsAsync(_server.Port("pop3s"), _server.CaCertificate, _alice);
        Assert.StartsWith("+OK", await c.ReadLineAsync());
        await c.SendAsync("CAPA");
        Assert.Contains(await c.ReadReplyLinesAsync(pop3List: true), l => l == "SASL EXTERNAL PLAIN");
        await c.SendAsync("AUTH EXTERNAL " + B64("bob@example.test"));
        Assert.StartsWith("-ERR [AUTH]", await c.ReadLineAsync());
        await c.SendAsync("AUTH EXTERNAL =");
        Assert.StartsWith("+OK", await c.ReadLineAsync());
        await c.SendAsync("STAT");
        Assert.StartsWith("+OK 0 0", await c.ReadLineAsync());
    }
}
