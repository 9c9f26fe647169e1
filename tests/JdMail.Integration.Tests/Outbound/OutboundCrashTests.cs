using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace JdMail.Integration.Tests.Outbound;

public sealed class OutboundCrashTests
{
    private const int Count = 200;

    [Fact]
    public async Task Two_hundred_queued_messages_survive_sigkills_while_queued_and_mid_delivery_and_all_reach_B()
    {
        var root = Path.Combine(Path.GetTempPath(), "jdmail-outcrash-" + Guid.NewGuid().ToString("N")[..12]);
        var aRoot = Path.Combine(root, "a");
        var bRoot = Path.Combine(root, "b");
        Directory.CreateDirectory(aRoot);
        Directory.CreateDirectory(bRoot);
        try
        {
            // B is down at first: A's gateway points at a loopback port nobody listens on yet, where B starts later.
            var bPort = FreePort();
            var config = Path.Combine(aRoot, "test.conf");
            await File.WriteAllTextAsync(config, ServerFixture.Config($$"""
                jdmail.outbound {
                  first-retry = 300ms
                  retry-ratio = 0
                  max-retries = 100000
                  concurrency = 2   # slower drain, so the second kill lands mid-delivery
                  connect-timeout = 5s
                  command-timeout = 10s
                  dns-servers = ["127.0.0.1:9"]
                  gateways = [ { domain = "b.test", hosts = ["127.0.0.1:{{bPort}}"], need-tls = 1, verify = "none" } ]
                }
                """));
            var subjects = Enumerable.Range(0, Count).Select(i => $"queued {i:D3}").ToList();

            using (var a = await ServerProcess.StartAsync(aRoot, config))
            {
                var ca = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                ca.ImportFromPemFile(Path.Combine(aRoot, "certs.pem"));
                using var client = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(ca[0]), CheckCertificateRevocation = false };
                await client.ConnectAsync("localhost", a.Endpoints["smtps"].Port, SecureSocketOptions.SslOnConnect);
                await client.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
                foreach (var s in subjects)
                    Assert.Contains("queued as", await client.SendAsync(MimeMessage.Load(new MemoryStream(RelayPair.Message(s)))));
                // Wait (bounded) until at least one message has a recorded failed try, so the queue is really in use.
                await RelayPair.PollAsync(aRoot, () => Task.FromResult(Directory.Exists(Path.Combine(aRoot, "spool", "outbound"))
                        ? Directory.GetFiles(Path.Combine(aRoot, "spool", "outbound"), "*.state").Length : 0),
                    n => n > 0, TimeSpan.FromSeconds(30), "a recorded failed try");
                a.KillHard();
            }

            await using var b = await ServerFixture.StartAsync(RelayPair.BConfig() + $"\njdmail.listeners.smtp.port = {bPort}", bRoot);
            Assert.Equal(bPort, b.Port("smtp"));
            var maildir = RelayPair.CarolMaildir(b);

            using (var a = await ServerProcess.StartAsync(aRoot, config))
            {
                // Killed again while it is delivering.
                await RelayPair.PollAsync(bRoot, () => Task.FromResult(Subjects(maildir).Count), n => n >= 20, TimeSpan.FromSeconds(120), "first deliveries");
                a.KillHard();
            }

            using (await ServerProcess.StartAsync(aRoot, config))
            {
                await RelayPair.PollAsync(bRoot, () => Task.FromResult(Subjects(maildir)), s => s.Count >= Count, TimeSpan.FromSeconds(180), "all 200 at B");
                Assert.Equal(subjects.ToHashSet(), Subjects(maildir));
                // Once all are through, A's queue empties (message files go last, after their state says done).
                await RelayPair.PollAsync(aRoot, () => Task.FromResult(Directory.GetFiles(Path.Combine(aRoot, "spool", "outbound"), "*.msg").Length),
                    n => n == 0, TimeSpan.FromSeconds(60), "A's remote queue to empty");
            }
            Assert.Empty(Directory.GetFiles(Path.Combine(aRoot, "spool", "queue")));
            Assert.False(Directory.Exists(Path.Combine(aRoot, "domains", "example.test", "alice", "Maildir", "new"))
                && Directory.GetFiles(Path.Combine(aRoot, "domains", "example.test", "alice", "Maildir", "new")).Length > 0);
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    private static HashSet<string> Subjects(string maildir)
    {
        var set = new HashSet<string>();
        if (!Directory.Exists(maildir)) return set;
        foreach (var f in Directory.GetFiles(maildir))
        {
            foreach (var line in File.ReadLines(f))
            {
                if (line.Length == 0) break;
                if (line.StartsWith("Subject: ", StringComparison.Ordinal)) { set.Add(line[9..]); break; }
            }
        }
        return set;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
