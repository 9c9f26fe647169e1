using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace JdMail.Integration.Tests;

public sealed class CrashTests
{
    [Fact]
    public async Task Messages_acknowledged_with_250_survive_a_sigkill_right_after_the_reply()
    {
        var mailRoot = Path.Combine(Path.GetTempPath(), "jdmail-crash-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(mailRoot);
        var config = Path.Combine(mailRoot, "test.conf");
        await File.WriteAllTextAsync(config, ServerFixture.Config());
        const int count = 20;
        var sent = new List<byte[]>();
        try
        {
            using (var server = await ServerProcess.StartAsync(mailRoot, config))
            {
                var ca = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                ca.ImportFromPemFile(Path.Combine(mailRoot, "certs.pem"));
                using var client = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(ca[0]) };
                await client.ConnectAsync("localhost", server.Endpoints["smtps"].Port, SecureSocketOptions.SslOnConnect);
                await client.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
                for (var i = 0; i < count; i++)
                {
                    var raw = MessageSamples.EightBitWithDots("alice@example.test", "bob@example.test", $"crash {i}");
                    Assert.Contains("queued as", await client.SendAsync(MimeMessage.Load(new MemoryStream(raw))));
                    sent.Add(raw);
                }
                // Killed straight after the last 250: no graceful shutdown, no chance to finish delivery.
                server.KillHard();
            }

            using (await ServerProcess.StartAsync(mailRoot, config))
            {
                var dir = Path.Combine(mailRoot, "domains", "example.test", "bob", "Maildir", "new");
                var files = await Eventually.FilesAsync(dir, count, TimeSpan.FromSeconds(30));
                var stored = files.Select(f => MessageSamples.WithoutOurReceived(File.ReadAllBytes(f))).ToList();
                // Every acknowledged message is there exactly once (redelivery after a crash finds the earlier copy).
                Assert.Equal(count, stored.Count);
                foreach (var raw in sent) Assert.Contains(stored, s => s.AsSpan().SequenceEqual(raw));
                Assert.Empty(Directory.GetFiles(Path.Combine(mailRoot, "spool", "queue")));
            }
        }
        finally
        {
            try { Directory.Delete(mailRoot, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Sigterm_shuts_the_server_down_gracefully()
    {
        var mailRoot = Path.Combine(Path.GetTempPath(), "jdmail-term-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(mailRoot);
        var config = Path.Combine(mailRoot, "test.conf");
        await File.WriteAllTextAsync(config, ServerFixture.Config());
        try
        {
            using var server = await ServerProcess.StartAsync(mailRoot, config);
            var (exit, output) = await server.TerminateAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, exit);
            Assert.Contains("jdmail: stopped", output);
        }
        finally
        {
            try { Directory.Delete(mailRoot, true); } catch (IOException) { }
        }
    }
}
