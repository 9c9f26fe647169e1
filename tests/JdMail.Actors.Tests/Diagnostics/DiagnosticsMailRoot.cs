using Akka.Configuration;
using JdMail.Actors.Ca;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Settings;
using JdMail.Actors.Spool;
using JdMail.Pki;
using Org.BouncyCastle.Crypto;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Actors.Tests.Diagnostics;

/// <summary>A first-start MailRoot (private CA, server certificate for localhost, certs.pem, certs/, a fresh CRL) to
/// break one way at a time, and the engine that checks it offline.</summary>
public sealed class DiagnosticsMailRoot : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "jdmail-diag-" + Guid.NewGuid().ToString("N")[..12]);
    public MailRootPaths Paths => new(Root);
    public JdMailSettings Settings { get; }
    public DiagnosticsEngine Engine { get; }
    public BcX509 CaCert { get; }
    public AsymmetricKeyParameter CaKey { get; }

    public DiagnosticsMailRoot(string extraHocon = "")
    {
        System.IO.Directory.CreateDirectory(Root);
        Settings = JdMailSettings.Create(ConfigurationFactory.ParseString(Hocon(extraHocon)), Root);
        // Made 60 days ago, so certificates issued "in the past" by the tests are younger than their CA.
        FirstStartPki.Ensure(Settings, DateTime.UtcNow.AddDays(-60));
        CaCert = PemCodec.ReadCertificates(File.ReadAllText(CaFile("cert.pem")))[0];
        CaKey = KeyMaterial.ReadPrivateKeyPem(File.ReadAllText(CaFile("key.pem")));
        WriteCrl(DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddDays(7));
        Engine = new DiagnosticsEngine(Settings, DiagnosticsSettings.Default);
    }

    public static string Hocon(string extra = "") => $$"""
        jdmail {
          hostname = "localhost"
          listeners {
            smtp { enabled = true, address = "127.0.0.1", port = 0 }
            smtps { enabled = true, address = "127.0.0.1", port = 0 }
            pop3 { enabled = true, address = "127.0.0.1", port = 0 }
            pop3s { enabled = true, address = "127.0.0.1", port = 0 }
            ctrl { enabled = true, address = "127.0.0.1", port = 0 }
            ctrls { enabled = true, address = "127.0.0.1", port = 0 }
            extra = []
          }
          tls { min-version = "1.2", client-certificates { want-verify = false } }
          smtp { max-errors = 10 }
          pop3 { max-errors = 10 }
          bootstrap { domain = "example.test", server-names = ["localhost", "127.0.0.1"] }
        }
        {{extra}}
        """;

    public string CaFile(string name) => Path.Combine(Root, "sslconf", "ca", name);

    public IReadOnlyList<DiagnosticItem> Check(DateTime? now = null) =>
        Engine.Check(ListenerState.Offline, null, now ?? DateTime.UtcNow);

    /// <summary>"area/item STATUS" of every item that is not OK.</summary>
    public string[] NotOk(DateTime? now = null) =>
        Check(now).Where(i => i.Status != DiagnosticStatus.Ok).Select(i => $"{i.Area}/{i.Item} {i.StatusText}").Order().ToArray();

    public DiagnosticItem Item(string area, string item) => Check().Single(i => i.Area == area && i.Item == item);

    public void WriteCrl(DateTime thisUpdate, DateTime nextUpdate, long number = 1) =>
        Durable.WriteAllText(CaFile("crl.pem"), PemCodec.ToPem(Crls.Create(CaCert, CaKey, [],
            Org.BouncyCastle.Math.BigInteger.ValueOf(number), thisUpdate, nextUpdate)));

    /// <summary>Installs a new leaf (and its key) as server.cert/server.key, key first as the CA does.</summary>
    public void InstallServer(BcX509 issuer, AsymmetricKeyParameter issuerKey, IReadOnlyList<string> names, DateTime notBefore, int days,
        bool appendIssuer = true)
    {
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        var leaf = Certificates.IssueServer(issuer, issuerKey, new SubjectFields(CommonName: names[0]), names, key.Public, days, notBefore);
        Durable.WriteAllText(Paths.ServerKey, KeyMaterial.PrivateKeyToPem(key.Private), Durable.PrivateFile);
        Durable.WriteAllText(Paths.ServerCert, appendIssuer ? PemCodec.ToPem([leaf, issuer]) : PemCodec.ToPem(leaf));
    }

    public (byte[] Cert, byte[] Key) Save() => (File.ReadAllBytes(Paths.ServerCert), File.ReadAllBytes(Paths.ServerKey));

    public void Restore((byte[] Cert, byte[] Key) saved)
    {
        Durable.WriteAllBytes(Paths.ServerKey, saved.Key, Durable.PrivateFile);
        Durable.WriteAllBytes(Paths.ServerCert, saved.Cert);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
