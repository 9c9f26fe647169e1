using System.Net;
using System.Security.Cryptography.X509Certificates;
using JdMail.Host;
using Microsoft.Extensions.Hosting;

namespace JdMail.Integration.Tests;

/// <summary>
/// A real JdMail host in this process: temporary MailRoot, every endpoint on a free loopback port, the accounts
/// alice@example.test and bob@example.test. Endpoints are read back from the running server.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    public const string Domain = "example.test";
    public const string AlicePassword = "alice-secret-1";
    public const string BobPassword = "bob-secret-2";

    public string MailRoot { get; }
    public IHost Host { get; }
    public IReadOnlyDictionary<string, IPEndPoint> Endpoints { get; }

    private ServerFixture(string mailRoot, IHost host, IReadOnlyDictionary<string, IPEndPoint> endpoints)
    {
        MailRoot = mailRoot;
        Host = host;
        Endpoints = endpoints;
    }

    public int Port(string name) => Endpoints[name].Port;

    public string CaFile => Path.Combine(MailRoot, "certs.pem");

    public X509Certificate2 CaCertificate => X509CertificateLoader.LoadCertificate(
        new X509Certificate2Collection().Also(c => c.ImportFromPemFile(CaFile))[0].RawData);

    public string Maildir(string user) => Path.Combine(MailRoot, "domains", Domain, user, "Maildir");

    /// <summary>The HOCON every test server runs with; <paramref name="extra"/> is appended and wins.</summary>
    public static string Config(string extra = "") => $$"""
        jdmail {
          hostname = "localhost"
          listeners {
            smtp.port = 0, smtps.port = 0, pop3.port = 0, pop3s.port = 0, ctrl.port = 0, ctrls.port = 0
          }
          tls.handshake-timeout = 3s
          smtp.idle-timeout = 3s
          pop3.idle-timeout = 3s
          # Fast hashes keep the suite quick; production uses the default.
          security.pbkdf2-iterations = 1000
          # Tests never ask a real resolver: MX look-ups go to a closed loopback port.
          outbound.dns-servers = ["127.0.0.1:9"]
          bootstrap {
            domain = "{{Domain}}"
            ctrl-password = "admin-secret-0"
            users = ["alice@{{Domain}}:{{AlicePassword}}", "bob@{{Domain}}:{{BobPassword}}"]
          }
        }
        akka.loglevel = WARNING
        {{extra}}
        """;

    public static async Task<ServerFixture> StartAsync(string extraConfig = "", string? mailRoot = null)
    {
        mailRoot ??= Path.Combine(Path.GetTempPath(), "jdmail-it-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(mailRoot);
        var configFile = Path.Combine(mailRoot, "test.conf");
        await File.WriteAllTextAsync(configFile, Config(extraConfig));
        var host = JdMailHost.Build(mailRoot, configFile, _ => { });
        await host.StartAsync();
        var endpoints = await JdMailHost.EndpointsAsync(host, TimeSpan.FromSeconds(30));
        return new ServerFixture(mailRoot, host, endpoints.Bound.ToDictionary(b => b.Endpoint.Name, b => b.BoundTo));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(TimeSpan.FromSeconds(10));
        Host.Dispose();
        try { Directory.Delete(MailRoot, recursive: true); } catch (IOException) { /* leave it for inspection */ }
    }

    /// <summary>Waits (bounded) until <paramref name="user"/>'s Maildir holds <paramref name="count"/> new messages.</summary>
    public Task<string[]> WaitForMailAsync(string user, int count, TimeSpan? timeout = null) =>
        Eventually.FilesAsync(Path.Combine(Maildir(user), "new"), count, timeout ?? TimeSpan.FromSeconds(15));
}

internal static class Extensions
{
    public static T Also<T>(this T value, Action<T> action) { action(value); return value; }
}
