using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace JdMail.Integration.Tests;

public sealed class SmtpTlsTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private SmtpClient Client()
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(_server.CaCertificate), CheckCertificateRevocation = false };
        return client;
    }

    [Theory]
    [InlineData("smtp", SecureSocketOptions.StartTls)]
    [InlineData("smtps", SecureSocketOptions.SslOnConnect)]
    public async Task MailKit_sends_over_verified_tls_with_auth_and_the_mailbox_holds_the_exact_bytes(string endpoint, SecureSocketOptions mode)
    {
        var raw = MessageSamples.EightBitWithDots("alice@example.test", "bob@example.test", "round trip " + endpoint);
        using (var client = Client())
        {
            await client.ConnectAsync("localhost", _server.Port(endpoint), mode);
            Assert.True(client.IsSecure);
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            await client.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
            var response = await client.SendAsync(MimeMessage.Load(new MemoryStream(raw)));
            Assert.Contains("queued as", response);
            await client.DisconnectAsync(true);
        }
        var files = await _server.WaitForMailAsync("bob", 1);
        var stored = await File.ReadAllBytesAsync(files[0]);
        Assert.Equal(raw, MessageSamples.WithoutOurReceived(stored));
        Assert.Contains("with ESMTPSA (TLSv1.", System.Text.Encoding.Latin1.GetString(stored));
    }

    [Fact]
    public async Task Auth_is_not_offered_before_starttls_and_is_refused_in_clear()
    {
        using var client = Client();
        await client.ConnectAsync("localhost", _server.Port("smtp"), SecureSocketOptions.None);
        Assert.False(client.IsSecure);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
        Assert.Empty(client.AuthenticationMechanisms);
        // MailKit refuses to authenticate without advertised mechanisms, so speak the command ourselves.
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        await raw.SendAsync("EHLO client.test");
        await raw.ExpectAsync("250 ");
        await raw.SendAsync("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABhbGljZS1zZWNyZXQtMQ==");
        await raw.ExpectAsync("538 5.7.11");
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_no_relay_without_auth()
    {
        using (var client = Client())
        {
            await client.ConnectAsync("localhost", _server.Port("smtps"), SecureSocketOptions.SslOnConnect);
            var e = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("alice@example.test", "wrong"));
            Assert.Contains("535", e.Message + (e.InnerException?.Message ?? ""), StringComparison.Ordinal);
        }
        using (var client = Client())
        {
            await client.ConnectAsync("localhost", _server.Port("smtps"), SecureSocketOptions.SslOnConnect);
            var msg = MimeMessage.Load(new MemoryStream(MessageSamples.EightBitWithDots("x@elsewhere.test", "someone@elsewhere.test", "relay")));
            var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(msg));
            Assert.Equal(SmtpStatusCode.TransactionFailed, e.StatusCode);   // 554 relay access denied
        }
    }

    [Fact]
    public async Task Unknown_local_user_is_refused_with_550()
    {
        using var client = Client();
        await client.ConnectAsync("localhost", _server.Port("smtp"), SecureSocketOptions.StartTls);
        var msg = MimeMessage.Load(new MemoryStream(MessageSamples.EightBitWithDots("x@elsewhere.test", "nobody@example.test", "unknown")));
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(msg));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, e.StatusCode);
    }

    [Fact]
    public async Task The_same_mailbox_named_twice_gets_one_copy()
    {
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        await raw.SendAsync("EHLO client.test");
        await raw.ExpectAsync("250 ");
        await raw.SendAsync("MAIL FROM:<x@elsewhere.test>");
        await raw.ExpectAsync("250 ");
        foreach (var rcpt in new[] { "bob@example.test", "BOB@Example.Test", "bob@example.test" })
        {
            await raw.SendAsync($"RCPT TO:<{rcpt}>");
            await raw.ExpectAsync("250 ");
        }
        await raw.SendAsync("DATA");
        await raw.ExpectAsync("354 ");
        await raw.SendRawAsync("Subject: once\r\n\r\nbody\r\n.\r\n"u8.ToArray());
        await raw.ExpectAsync("250 ");
        await _server.WaitForMailAsync("bob", 1);
        // Delivery of the one spool file is finished once the queue is empty; then count.
        var queue = Path.Combine(_server.MailRoot, "spool", "queue");
        await Eventually.UntilAsync(queue, () => Directory.GetFiles(queue).Length, n => n == 0, TimeSpan.FromSeconds(10), "the spool queue to empty");
        Assert.Single(Directory.GetFiles(Path.Combine(_server.Maildir("bob"), "new")));
    }
}
