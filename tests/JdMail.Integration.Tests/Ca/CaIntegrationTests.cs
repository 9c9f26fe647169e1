using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Hosting;
using JdMail.Actors.Ca;
using Microsoft.Extensions.DependencyInjection;

namespace JdMail.Integration.Tests.Ca;

/// <summary>The CA inside a real host: first-start adoption, the public-CA path against an openssl-run CA, and a real
/// restart over the SQLite journal.</summary>
public sealed class CaIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private ServerFixture _server = null!;
    private readonly List<string> _cleanup = [];

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync("jdmail.ca.snapshot-every = 2");

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        foreach (var d in _cleanup) try { Directory.Delete(d, true); } catch (IOException) { }
    }

    private static Task<IActorRef> CaOf(ServerFixture server) =>
        server.Host.Services.GetRequiredService<ActorRegistry>().GetAsync<CertificateAuthorityActor>();

    private static async Task<T> Ask<T>(IActorRef ca, object message)
    {
        var reply = await ca.Ask<object>(message, Timeout);
        Assert.True(reply is T, $"expected {typeof(T).Name} but got {reply}");
        return (T)reply;
    }

    /// <summary>The certificate the SMTPS listener presents in a fresh handshake.</summary>
    private async Task<X509Certificate2> ServedCertificateAsync()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _server.Port("smtps"));
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            seen = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            return true;   // only looking at what is served; trust is checked separately below
        });
        await ssl.AuthenticateAsClientAsync("localhost");
        return seen ?? throw new InvalidOperationException("no certificate served");
    }

    private static string Run(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"openssl {string.Join(' ', args)}: {output.Result}{error.Result}");
        return output.Result;
    }

    [Fact]
    public async Task Public_ca_path_end_to_end_serves_the_imported_certificate_on_the_next_smtps_handshake()
    {
        var ca = await CaOf(_server);
        var before = await ServedCertificateAsync();

        // 1. Request: key + CSR made by JdMail.
        var request = await Ask<CertificateRequestedResult>(ca, new RequestCertificate(
            new CertificateForm("localhost", Country: "DE", Organization: "JdMail IT", Names: ["127.0.0.1"], KeyType: "rsa2048")));

        // 2. A separate CA run by the openssl command line stands in for the public CA.
        var work = Path.Combine(Path.GetTempPath(), "jdmail-pubca-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        _cleanup.Add(work);
        await File.WriteAllTextAsync(Path.Combine(work, "request.csr"), request.CsrPem);
        Run(work, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key",
            "-out", "root.pem", "-days", "30", "-subj", "/O=Stand-in Public CA/CN=Stand-in Public Root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        await File.WriteAllTextAsync(Path.Combine(work, "leaf.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            + "subjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n");
        Run(work, "x509", "-req", "-in", "request.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
            "-days", "30", "-sha256", "-extfile", "leaf.ext", "-out", "leaf.pem");
        var bundle = await File.ReadAllTextAsync(Path.Combine(work, "root.pem")) + await File.ReadAllTextAsync(Path.Combine(work, "leaf.pem"));

        // 3. Import (checked against the stored key; chain kept), 4. install.
        var imported = await Ask<CertificateImportedResult>(ca, new ImportCertificate(request.Item.Id, bundle));
        Assert.Equal(CaStatuses.Valid, imported.Item.Status);
        var chain = await Ask<ArtefactResult>(ca, new GetArtefact(request.Item.Id, ArtefactKind.Chain));
        Assert.Equal(2, System.Text.Encoding.ASCII.GetString(chain.Content).Split("BEGIN CERTIFICATE").Length - 1);
        await Ask<CertificateInstalledResult>(ca, new InstallCertificate(request.Item.Id));

        // The very next handshake serves it, no restart; the chain verifies against the stand-in root for "localhost".
        var after = await ServedCertificateAsync();
        var leaf = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(string.Concat(
            (await File.ReadAllTextAsync(Path.Combine(work, "leaf.pem"))).Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))));
        Assert.NotEqual(before.GetCertHashString(HashAlgorithmName.SHA256), after.GetCertHashString(HashAlgorithmName.SHA256));
        Assert.Equal(leaf.GetCertHashString(HashAlgorithmName.SHA256), after.GetCertHashString(HashAlgorithmName.SHA256));
        Assert.Equal(imported.Item.Sha256, after.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant());
        var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(work, "root.pem"));
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", _server.Port("smtps"));
            await using var ssl = new SslStream(tcp.GetStream(), false, TrustedCa.Callback(root));
            await ssl.AuthenticateAsClientAsync("localhost");
            Assert.True(ssl.IsAuthenticated);
        }
        var list = await Ask<CertificateListResult>(ca, new ListCertificates());
        Assert.Equal(request.Item.Id, list.InstalledId);
        Assert.Equal(CaCodes.Refused, (await Ask<CaRejected>(ca, new DeleteCertificate(request.Item.Id))).Code);
    }

    [Fact]
    public async Task First_start_material_is_adopted_and_the_ca_survives_a_host_restart_on_the_sqlite_journal()
    {
        var ca = await CaOf(_server);
        var tk = new Akka.TestKit.Xunit2.TestKit(_server.Host.Services.GetRequiredService<ActorSystem>());
        // Adoption and the first CRL happen right after recovery.
        await tk.AwaitAssertAsync(async () =>
        {
            var s = await Ask<CaStatusResult>(ca, new GetCaStatus());
            Assert.Equal("ca", s.CurrentCaId);
            Assert.True(s.LastCrlNumber >= 1);
        }, Timeout);
        var adopted = await Ask<CertificateListResult>(ca, new ListCertificates());
        Assert.Equal(["ca", "server-bootstrap"], adopted.Items.Select(i => i.Id).ToArray());
        Assert.Equal("server-bootstrap", adopted.InstalledId);
        Assert.Equal("localhost,127.0.0.1,::1", adopted.Items[1].Names);

        var client = await Ask<CertificateIssuedResult>(ca, new IssueClientCertificate(new CertificateForm(Email: "alice@example.test")));
        var server = await Ask<CertificateIssuedResult>(ca, new IssueServerCertificate(new CertificateForm("mx.example.test")));
        var revoked = await Ask<CertificateRevokedResult>(ca, new RevokeCertificate(client.Item.Id, "keyCompromise"));
        var listBefore = await Ask<CertificateListResult>(ca, new ListCertificates());
        var statusBefore = await Ask<CaStatusResult>(ca, new GetCaStatus());

        // Stop the host (keeping the MailRoot) and start a new one over the same SQLite journal.
        var mailRoot = _server.MailRoot;
        await _server.Host.StopAsync(new CancellationTokenSource(Timeout).Token);
        _server.Host.Dispose();
        _server = await ServerFixture.StartAsync("jdmail.ca.snapshot-every = 2", mailRoot);

        var again = await CaOf(_server);
        var listAfter = await Ask<CertificateListResult>(again, new ListCertificates());
        Assert.Equal(listBefore.Items, listAfter.Items);
        Assert.Equal(listBefore.InstalledId, listAfter.InstalledId);
        var statusAfter = await Ask<CaStatusResult>(again, new GetCaStatus());
        Assert.True(statusAfter.LastCrlNumber >= statusBefore.LastCrlNumber);
        Assert.True(statusAfter.LastCrlNumber >= revoked.CrlNumber);
        Assert.Empty(statusAfter.Problems);
        Assert.Equal(CaStatuses.Revoked, listAfter.Items.Single(i => i.Id == client.Item.Id).Status);
        var next = await Ask<CertificateIssuedResult>(again, new IssueServerCertificate(new CertificateForm("mx2.example.test")));
        Assert.DoesNotContain(next.Item.Serial, listBefore.Items.Select(i => i.Serial));
        Assert.NotEqual(server.Item.Id, next.Item.Id);
    }
}
