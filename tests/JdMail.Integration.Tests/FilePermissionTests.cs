namespace JdMail.Integration.Tests;

public sealed class FilePermissionTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Secrets_and_mail_are_readable_by_the_owner_only_and_no_password_is_stored_in_clear()
    {
        await using var server = await ServerFixture.StartAsync();
        var smtp = new MailKit.Net.Smtp.SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(server.CaCertificate) };
        await smtp.ConnectAsync("localhost", server.Port("smtps"), MailKit.Security.SecureSocketOptions.SslOnConnect);
        await smtp.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
        await smtp.SendAsync(MimeKit.MimeMessage.Load(new MemoryStream(MessageSamples.EightBitWithDots("alice@example.test", "bob@example.test", "perm"))));
        await smtp.DisconnectAsync(true);
        var mail = await server.WaitForMailAsync("bob", 1);

        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var f in new[] { "server.key", "sslconf/ca/key.pem", "sslconf/server-bootstrap/key.pem", "jdmail.db", mail[0] })
            Assert.True(File.GetUnixFileMode(Path.Combine(server.MailRoot, f)) == owner, $"{f} is {File.GetUnixFileMode(Path.Combine(server.MailRoot, f))}");

        // The passwords of the test configuration appear nowhere under the MailRoot except the config file itself.
        foreach (var file in Directory.EnumerateFiles(server.MailRoot, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("test.conf") && !f.EndsWith("jdmail.lock")))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var secret in new[] { ServerFixture.AlicePassword, ServerFixture.BobPassword, "admin-secret-0" })
                Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) < 0, $"{secret} found in {file}");
        }
    }
}
