using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace JdMail.Integration.Tests;

public sealed class Pop3TlsTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<byte[]> SendAsync(string subject)
    {
        var raw = MessageSamples.EightBitWithDots("alice@example.test", "bob@example.test", subject);
        using var smtp = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(_server.CaCertificate) };
        await smtp.ConnectAsync("localhost", _server.Port("smtp"), SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
        await smtp.SendAsync(MimeMessage.Load(new MemoryStream(raw)));
        await smtp.DisconnectAsync(true);
        return raw;
    }

    [Theory]
    [InlineData("pop3", SecureSocketOptions.StartTls)]
    [InlineData("pop3s", SecureSocketOptions.SslOnConnect)]
    public async Task MailKit_fetches_over_verified_tls_and_gets_the_bytes_that_were_sent(string endpoint, SecureSocketOptions mode)
    {
        var raw = await SendAsync("pop " + endpoint);
        await _server.WaitForMailAsync("bob", 1);
        using var pop = new Pop3Client { ServerCertificateValidationCallback = TrustedCa.Callback(_server.CaCertificate), CheckCertificateRevocation = false };
        await pop.ConnectAsync("localhost", _server.Port(endpoint), mode);
        Assert.True(pop.IsSecure);
        await pop.AuthenticateAsync("bob@example.test", ServerFixture.BobPassword);
        Assert.Equal(1, pop.Count);
        using var stream = await pop.GetStreamAsync(0);   // raw message bytes, dot-stuffing already undone
        var fetched = new MemoryStream();
        await stream.CopyToAsync(fetched);
        Assert.Equal(raw, MessageSamples.WithoutOurReceived(fetched.ToArray()));
        var uid = await pop.GetMessageUidAsync(0);
        await pop.DeleteMessageAsync(0);
        await pop.DisconnectAsync(true);   // QUIT: UPDATE state applies the deletion
        Assert.False(string.IsNullOrEmpty(uid));
        Assert.Empty(Directory.GetFiles(Path.Combine(_server.Maildir("bob"), "new")));
    }

    [Fact]
    public async Task Pop3_login_before_stls_is_refused_and_no_sasl_is_offered()
    {
        using var pop = new Pop3Client();
        await pop.ConnectAsync("localhost", _server.Port("pop3"), SecureSocketOptions.None);
        Assert.True(pop.Capabilities.HasFlag(Pop3Capabilities.StartTLS));
        Assert.Empty(pop.AuthenticationMechanisms);   // no SASL before TLS (MailKit assumes USER regardless of CAPA)
        await Assert.ThrowsAnyAsync<Exception>(() => pop.AuthenticateAsync("bob@example.test", ServerFixture.BobPassword));
        Assert.False(pop.IsAuthenticated);
    }
}
