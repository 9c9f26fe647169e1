using JdMail.Actors.Ca;
using Xunit.Abstractions;

namespace JdMail.Actors.Tests.Ca;

/// <summary>Every artefact the CA actor produces, judged by the openssl command line.</summary>
public sealed class CertificateArtefactSpecs(ITestOutputHelper output) : CaTestBase(output)
{
    [Fact]
    public async Task Ca_signed_server_certificate_verifies_strictly_for_its_host_wildcard_and_ip()
    {
        var ca = StartCa();
        await CreateCaAsync(ca);
        var issued = await IssueServerAsync(ca, "mail.example.test", "*.example.test", "192.0.2.7");
        var chain = FileOf(issued.Item.Id, "chain.pem");
        foreach (var host in new[] { "mail.example.test", "imap.example.test" })
            OpenSsl.Ok("verify", "-x509_strict", "-auth_level", "2", "-purpose", "sslserver", "-verify_hostname", host,
                "-CAfile", Paths.CertsPem, chain);
        OpenSsl.Ok("verify", "-x509_strict", "-purpose", "sslserver", "-verify_ip", "192.0.2.7", "-CAfile", Paths.CertsPem, chain);
        Assert.NotEqual(0, OpenSsl.Run("verify", "-purpose", "sslserver", "-verify_hostname", "other.test", "-CAfile", Paths.CertsPem, chain).ExitCode);
        Assert.Equal(CaKinds.Server, issued.Item.Kind);
        Assert.Equal("mail.example.test,*.example.test,192.0.2.7", issued.Item.Names);
        Assert.Equal(Durable600, Mode(FileOf(issued.Item.Id, "key.pem")));
        Assert.Contains("\"cn\"\t\"mail.example.test\"", await File.ReadAllTextAsync(FileOf(issued.Item.Id, "profile.tab")));
    }

    private const UnixFileMode Durable600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Self_signed_certificate_installed_now_is_what_server_cert_and_server_key_hold()
    {
        var ca = StartCa();
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events, typeof(CertificateInstalledNotice));
        var issued = await AskOk<CertificateIssuedResult>(ca, new IssueSelfSigned(new CertificateForm("self.example.test", Names: ["127.0.0.1"]), InstallNow: true));
        Assert.True(issued.Installed);
        OpenSsl.Ok("verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "self.example.test",
            "-CAfile", FileOf(issued.Item.Id, "cert.pem"), Paths.ServerCert);
        var certPub = OpenSsl.Ok("x509", "-in", Paths.ServerCert, "-noout", "-pubkey").Out;
        var keyPub = OpenSsl.Ok("pkey", "-in", Paths.ServerKey, "-pubout").Out;
        Assert.Equal(certPub, keyPub);
        Assert.Equal(Durable600, Mode(Paths.ServerKey));
        var notice = await events.ExpectMsgAsync<CertificateInstalledNotice>();
        Assert.Equal(issued.Item.Id, notice.Id);
        var list = await AskOk<CertificateListResult>(ca, new ListCertificates());
        Assert.Equal(issued.Item.Id, list.InstalledId);
    }

    [Fact]
    public async Task Client_p12_opens_in_openssl_without_legacy_and_the_certificate_verifies_as_sslclient()
    {
        var ca = StartCa();
        await CreateCaAsync(ca);
        var issued = await AskOk<CertificateIssuedResult>(ca, new IssueClientCertificate(new CertificateForm(Email: "alice@example.test")));
        Assert.False(string.IsNullOrEmpty(issued.P12Password));
        var p12 = FileOf(issued.Item.Id, "cert.p12");
        var info = OpenSsl.Ok("pkcs12", "-in", p12, "-info", "-nodes", "-passin", "pass:" + issued.P12Password);
        Assert.Contains("PRIVATE KEY", info.Out);
        Assert.Contains("AES-256-CBC", info.All);
        OpenSsl.Ok("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", Paths.CertsPem, FileOf(issued.Item.Id, "cert.pem"));
        OpenSsl.Ok("verify", "-x509_strict", "-purpose", "smimesign", "-CAfile", Paths.CertsPem, FileOf(issued.Item.Id, "cert.pem"));
        // The password is never stored: no file of the item contains it.
        foreach (var f in System.IO.Directory.GetFiles(Path.Combine(Root, "sslconf", issued.Item.Id)))
            Assert.DoesNotContain(issued.P12Password!, await File.ReadAllTextAsync(f));
        Assert.Equal(ArtefactKind.P12, (await AskOk<ArtefactResult>(ca, new GetArtefact(issued.Item.Id, ArtefactKind.P12))).Kind);
        Assert.Equal(CaCodes.Refused, (await AskRejected(ca, new GetArtefact(issued.Item.Id, ArtefactKind.Key))).Code);
    }

    [Fact]
    public async Task Legacy_p12_opens_with_the_legacy_provider()
    {
        var ca = StartCa();
        await CreateCaAsync(ca);
        var issued = await AskOk<CertificateIssuedResult>(ca, new IssueClientCertificate(new CertificateForm("Bob", Email: "bob@example.test"), "legacy"));
        var info = OpenSsl.Ok("pkcs12", "-legacy", "-in", FileOf(issued.Item.Id, "cert.p12"), "-info", "-nodes", "-passin", "pass:" + issued.P12Password);
        Assert.Contains("TripleDES", info.All);
        Assert.Equal("legacy", issued.Item.P12Profile);
    }

    [Fact]
    public async Task Public_ca_request_gives_a_csr_openssl_verifies_and_an_import_must_pair_with_the_stored_key()
    {
        var ca = StartCa();
        var req = await AskOk<CertificateRequestedResult>(ca, new RequestCertificate(new CertificateForm("www.example.test", Country: "DE", Organization: "Example", Names: ["example.test"], KeyType: "rsa2048")));
        var csr = Temp("req.csr", req.CsrPem);
        var text = OpenSsl.Ok("req", "-in", csr, "-verify", "-noout", "-text").All;
        Assert.Contains("DNS:www.example.test", text);
        Assert.Contains("DNS:example.test", text);
        Assert.Equal(CaStatuses.Requested, req.Item.Status);
        // A certificate for another key (here: a self-signed one of ours) is refused and nothing changes.
        var other = await AskOk<CertificateIssuedResult>(ca, new IssueSelfSigned(new CertificateForm("www.example.test")));
        var foreign = await File.ReadAllTextAsync(FileOf(other.Item.Id, "cert.pem"));
        var rej = await AskRejected(ca, new ImportCertificate(req.Item.Id, foreign));
        Assert.Equal(CaCodes.Invalid, rej.Code);
        Assert.False(File.Exists(FileOf(req.Item.Id, "cert.pem")));
        // Public items cannot be deleted.
        Assert.Equal(CaCodes.Refused, (await AskRejected(ca, new DeleteCertificate(req.Item.Id))).Code);
        Assert.True(System.IO.Directory.Exists(Path.Combine(Root, "sslconf", req.Item.Id)));
    }

    [Fact]
    public async Task Der_download_is_the_ca_certificate_openssl_reads_as_der_and_the_ca_key_is_never_handed_out()
    {
        var ca = StartCa();
        var created = await CreateCaAsync(ca);
        var der = await AskOk<ArtefactResult>(ca, new GetArtefact(created.Item.Id, ArtefactKind.Der));
        var path = Path.Combine(Root, "ca.cer");
        await File.WriteAllBytesAsync(path, der.Content);
        var text = OpenSsl.Ok("x509", "-inform", "DER", "-in", path, "-noout", "-text").Out;
        Assert.Contains("CA:TRUE", text);
        Assert.Equal(CaCodes.Refused, (await AskRejected(ca, new GetArtefact(created.Item.Id, ArtefactKind.Key))).Code);
    }

    [Fact]
    public async Task Ca_key_is_encrypted_at_rest_when_a_passphrase_is_configured()
    {
        var ca = StartCa(CaSettings.Default with { KeyPassphrase = "correct horse" });
        var created = await CreateCaAsync(ca);
        var keyFile = FileOf(created.Item.Id, "key.pem");
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", await File.ReadAllTextAsync(keyFile));
        Assert.NotEqual(0, OpenSsl.Run("pkey", "-in", keyFile, "-passin", "pass:wrong", "-noout").ExitCode);
        OpenSsl.Ok("pkey", "-in", keyFile, "-passin", "pass:correct horse", "-noout");
        var issued = await IssueServerAsync(ca);
        OpenSsl.Ok("verify", "-purpose", "sslserver", "-CAfile", Paths.CertsPem, FileOf(issued.Item.Id, "chain.pem"));
    }

    [Fact]
    public async Task Earlier_generation_info_fills_a_new_form_and_given_fields_win()
    {
        var ca = StartCa();
        await CreateCaAsync(ca);
        var first = await AskOk<CertificateIssuedResult>(ca, new IssueServerCertificate(new CertificateForm("mx.example.test", Country: "CN", Locality: "Beijing", Organization: "Org", Names: ["mx2.example.test"], KeyType: "ec384", Note: "first")));
        var defaults = await AskOk<FormDefaultsResult>(ca, new GetFormDefaults(first.Item.Id));
        Assert.Equal("Beijing", defaults.Form.Locality);
        var second = await AskOk<CertificateIssuedResult>(ca, new IssueServerCertificate(new CertificateForm(Note: "renewed", From: first.Item.Id)));
        Assert.Equal(("mx.example.test", "CN", "Beijing", "Org", "ec384", "renewed"),
            (second.Item.CommonName, second.Item.Country, second.Item.Locality, second.Item.Organization, second.Item.KeySpec, second.Item.Note));
        Assert.Equal(first.Item.Names, second.Item.Names);
        Assert.NotEqual(first.Item.Serial, second.Item.Serial);
    }
}
