using Akka.Actor;
using Akka.Hosting;
using JdMail.Actors.Ca;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Spool;
using JdMail.Integration.Tests.Tls;
using JdMail.Pki;
using Microsoft.Extensions.DependencyInjection;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Integration.Tests.Diagnostics;

/// <summary>Asks a running server's <see cref="DiagnosticsActor"/> (through the ActorRegistry, as CTRL does) and its CA.</summary>
public static class DiagnosticsServer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static IActorRef Actor(ServerFixture s) => s.Host.Services.GetRequiredService<ActorRegistry>().Get<DiagnosticsActor>();

    public static IActorRef Ca(ServerFixture s) => s.Host.Services.GetRequiredService<ActorRegistry>().Get<CertificateAuthorityActor>();

    public static Task<DiagnosticsReport> ReportAsync(ServerFixture s, bool probe = false) =>
        Actor(s).Ask<DiagnosticsReport>(new GetDiagnostics(probe), Timeout);

    public static async Task<string[]> NotOkAsync(ServerFixture s) => NotOk(await ReportAsync(s));

    public static string[] NotOk(DiagnosticsReport r) =>
        r.NotOk.Select(i => $"{i.Area}/{i.Item} {i.StatusText}").Order().ToArray();

    /// <summary>Has the CA sign a CRL now and waits for its answer, so a CRL is on disk whatever its timer did.</summary>
    /// <remarks>
    /// A CA that has just recovered may still have the first-start adoption queued behind this command and answer
    /// no-ca; the adoption is then ahead of the next command in its mailbox, so asking again is enough (no waiting).
    /// </remarks>
    public static async Task PublishCrlAsync(ServerFixture s)
    {
        object reply = new CaRejected(CaCodes.NoCa, "not asked yet");
        for (var i = 0; i < 3 && reply is CaRejected { Code: CaCodes.NoCa }; i++)
            reply = await Ca(s).Ask<object>(new PublishCrl(), Timeout);
        Assert.IsType<CrlPublishedResult>(reply);
    }

    /// <summary>The server's CA (certificate and key), for certificates and CRLs made by the tests.</summary>
    public static TestIssuer Issuer(ServerFixture s) => TestIssuer.FromMailRoot(s.MailRoot);

    public static void InstallServer(ServerFixture s, BcX509 issuer, Org.BouncyCastle.Crypto.AsymmetricKeyParameter issuerKey,
        IReadOnlyList<string> names, DateTime notBefore, int days)
    {
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        var leaf = Certificates.IssueServer(issuer, issuerKey, new SubjectFields(CommonName: names[0]), names, key.Public, days, notBefore);
        Durable.WriteAllText(Path.Combine(s.MailRoot, "server.key"), KeyMaterial.PrivateKeyToPem(key.Private), Durable.PrivateFile);
        Durable.WriteAllText(Path.Combine(s.MailRoot, "server.cert"), PemCodec.ToPem([leaf, issuer]));
    }

    public static (byte[] Cert, byte[] Key) Save(ServerFixture s) =>
        (File.ReadAllBytes(Path.Combine(s.MailRoot, "server.cert")), File.ReadAllBytes(Path.Combine(s.MailRoot, "server.key")));

    public static void Restore(ServerFixture s, (byte[] Cert, byte[] Key) saved)
    {
        Durable.WriteAllBytes(Path.Combine(s.MailRoot, "server.key"), saved.Key, Durable.PrivateFile);
        Durable.WriteAllBytes(Path.Combine(s.MailRoot, "server.cert"), saved.Cert);
    }
}
