using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary>A re-created account never opens the mail of the account that had the name before.</summary>
public sealed class MailboxLifecycleTests
{
    private static async Task SendToAsync(ServerFixture server, string to)
    {
        using var smtp = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(server.CaCertificate) };
        await smtp.ConnectAsync("localhost", server.Port("smtp"), SecureSocketOptions.StartTls);
        await smtp.SendAsync(MimeMessage.Load(new MemoryStream(MessageSamples.EightBitWithDots("x@elsewhere.test", to, "for the old owner"))));
        await smtp.DisconnectAsync(true);
    }

    private static async Task<int> CountAsync(ServerFixture server, string user, string password)
    {
        using var pop = new Pop3Client { ServerCertificateValidationCallback = TrustedCa.Callback(server.CaCertificate) };
        await pop.ConnectAsync("localhost", server.Port("pop3s"), SecureSocketOptions.SslOnConnect);
        await pop.AuthenticateAsync(user, password);
        var n = pop.Count;
        await pop.DisconnectAsync(true);
        return n;
    }

    [Fact]
    public async Task Userdel_then_useradd_gives_an_empty_mailbox_and_keeps_the_old_mail_aside()
    {
        await using var server = await ServerFixture.StartAsync();
        await SendToAsync(server, "bob@example.test");
        await server.WaitForMailAsync("bob", 1);

        using (var ctrl = await RawCtrl.LoginAsync(server))
        {
            Assert.StartsWith("+00000", await ctrl.SendAsync("userdel", "example.test", "bob"));
            Assert.StartsWith("+00000", await ctrl.SendAsync("useradd", "example.test", "bob", "new-owner-pw", "U"));
        }
        Assert.Equal(0, await CountAsync(server, "bob@example.test", "new-owner-pw"));
        var kept = Directory.GetDirectories(Path.Combine(server.MailRoot, "deleted", "example.test"), "bob.*");
        Assert.Single(kept);
        Assert.Single(Directory.GetFiles(Path.Combine(kept[0], "Maildir", "new")));
    }

    [Fact]
    public async Task Domaindel_moves_the_whole_domain_folder_out_of_domains()
    {
        await using var server = await ServerFixture.StartAsync();
        await SendToAsync(server, "alice@example.test");
        await server.WaitForMailAsync("alice", 1);
        using (var ctrl = await RawCtrl.LoginAsync(server))
            Assert.StartsWith("+00000", await ctrl.SendAsync("domaindel", "example.test"));
        Assert.False(Directory.Exists(Path.Combine(server.MailRoot, "domains", "example.test")));
        Assert.Single(Directory.GetDirectories(Path.Combine(server.MailRoot, "deleted"), "example.test.*"));
    }
}
