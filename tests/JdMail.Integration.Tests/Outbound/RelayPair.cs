using System.Text;
using Akka.Actor;
using JdMail.Actors.Outbound;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace JdMail.Integration.Tests.Outbound;

/// <summary>Helpers for tests with two JdMail instances: A (example.test, alice) relaying to B (b.test, carol).</summary>
public static class RelayPair
{
    public const string BDomain = "b.test";
    public const string Carol = "carol@b.test";

    /// <summary>
    /// B's configuration: domain b.test with carol, plus an SMTP endpoint with TLS switched off (extra0), and
    /// optionally its own host name (which then is the only name in its certificate).
    /// </summary>
    public static string BConfig(string? hostName = null) => $$"""
        jdmail {
          {{(hostName is null ? "" : $"hostname = \"{hostName}\"")}}
          bootstrap {
            domain = "{{BDomain}}"
            users = ["{{Carol}}:carol-secret-3"]
            {{(hostName is null ? "" : $"server-names = [\"{hostName}\"]")}}
          }
          listeners.extra = [ { protocol = smtp, tls = none, address = "127.0.0.1", port = 0 } ]
        }
        """;

    /// <summary>A's outbound section: fast retries, B's CA trusted from a file, one gateway entry for b.test.</summary>
    public static string AConfig(string gatewayHostPort, int needTls, string verify, string bCaFile, int maxRetries = 3, string extraGateway = "") => $$"""
        jdmail.outbound {
          first-retry = 200ms
          retry-ratio = 0
          max-retries = {{maxRetries}}
          connect-timeout = 5s
          command-timeout = 10s
          # Never the system resolver in tests (loopback-only machines): an MX lookup would fail here, not leave.
          dns-servers = ["127.0.0.1:9"]
          tls { trust = ["file"], trust-file = "{{bCaFile}}" }
          gateways = [ { domain = "{{BDomain}}", hosts = ["{{gatewayHostPort}}"], need-tls = {{needTls}}, verify = "{{verify}}" {{extraGateway}} } ]
        }
        """;

    public static string CarolMaildir(ServerFixture b) => Path.Combine(b.MailRoot, "domains", BDomain, "carol", "Maildir", "new");

    /// <summary>alice@example.test submits <paramref name="raw"/> on A (STARTTLS, verified, AUTH), addressed to carol@b.test.</summary>
    public static async Task SendFromAliceAsync(ServerFixture a, byte[] raw)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(a.CaCertificate), CheckCertificateRevocation = false };
        await client.ConnectAsync("localhost", a.Port("smtp"), SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
        Assert.Contains("queued as", await client.SendAsync(MimeMessage.Load(new MemoryStream(raw))));
        await client.DisconnectAsync(true);
    }

    public static byte[] Message(string subject) => MessageSamples.EightBitWithDots("alice@example.test", Carol, subject);

    public static async Task<T> AskOutboundAsync<T>(ServerFixture server, object message)
    {
        var system = server.Host.Services.GetRequiredService<ActorSystem>();
        return await system.ActorSelection("/user/server/outbound").Ask<T>(message, TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, re-checking on every change below <paramref name="watch"/>.</summary>
    public static Task<T> PollAsync<T>(string watch, Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what) =>
        Eventually.UntilAsync(watch, probe, condition, timeout, what);

    public static Task<string[]> WaitForFilesAsync(string dir, int count, TimeSpan timeout) => Eventually.FilesAsync(dir, count, timeout);

    private static string Describe(object? value) => value switch
    {
        OutboundQueueResult q => string.Join("; ", q.Messages.Select(m => $"{m.Id}: " + string.Join(", ", m.Recipients.Select(r => $"{r.Address} {r.Status} tries={r.Tries} {r.LastError}")))),
        string[] a => $"{a.Length} item(s)",
        _ => value?.ToString() ?? "null",
    };

    /// <summary>The stored message without the Received: lines the two servers added (the first two header fields).</summary>
    public static byte[] WithoutTwoReceived(byte[] stored) => MessageSamples.WithoutOurReceived(MessageSamples.WithoutOurReceived(stored));

    public static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
