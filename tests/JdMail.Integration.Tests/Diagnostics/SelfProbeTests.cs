using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Settings;
using JdMail.Pki;
using static JdMail.Integration.Tests.Diagnostics.DiagnosticsServer;

namespace JdMail.Integration.Tests.Diagnostics;

/// <summary>The self-probe against a running server, judged by <c>openssl s_client</c> on the same endpoints.</summary>
public sealed class SelfProbeTests
{
    /// <summary>Protocol and cipher as <c>openssl s_client -brief</c> prints them, after the same upgrade.</summary>
    private static async Task<(string Protocol, string Cipher, string Verification)> SClientAsync(int port, string caFile, string? starttls, params string[] extra)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", "-CAfile", caFile,
                     "-verify_hostname", "localhost", "-brief" }) psi.ArgumentList.Add(a);
        if (starttls is not null) { psi.ArgumentList.Add("-starttls"); psi.ArgumentList.Add(starttls); }
        foreach (var a in extra) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Close();   // end of input: s_client closes the connection once the handshake is done
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var text = await stderr + await stdout;
        string Field(string name) => Regex.Match(text, $@"^{name}:\s*(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException($"openssl s_client printed no '{name}':\n{text}");
        return (Field("Protocol version"), Field("Ciphersuite"), Field("Verification"));
    }

    [Fact]
    public async Task The_probe_reports_what_openssl_s_client_negotiates_on_every_tls_endpoint()
    {
        await using var server = await ServerFixture.StartAsync();
        var report = await ReportAsync(server, probe: true);
        var disk = Convert.ToHexString(SHA256.HashData(PemCodec.ReadCertificates(File.ReadAllText(Path.Combine(server.MailRoot, "server.cert")))[0].GetEncoded()));
        foreach (var (name, starttls, upgrade) in new[] { ("smtps", (string?)null, "implicit"), ("smtp", "smtp", "STARTTLS"), ("pop3s", null, "implicit"), ("pop3", "pop3", "STLS") })
        {
            var probe = report.Probes.Single(p => p.Endpoint == name);
            var openssl = await SClientAsync(server.Port(name), server.CaFile, starttls);
            Assert.Equal(upgrade, probe.Upgrade);
            Assert.Equal(openssl.Protocol, probe.TlsVersion);
            Assert.Equal(openssl.Cipher, probe.OpenSslCipher);
            Assert.Equal("OK", openssl.Verification);
            Assert.True(probe.Verified, probe.Verification);
            Assert.Contains("verifies against our CA 'ca' for localhost", probe.Verification);
            Assert.Equal(disk, probe.Sha256);
            Assert.True(probe.MatchesDisk);
            Assert.Equal(DiagnosticStatus.Ok, probe.Item.Status);
            Assert.Contains(probe.Item, report.Items);
        }
    }

    [Fact]
    public async Task A_tls12_probe_names_the_cipher_as_openssl_does()
    {
        await using var server = await ServerFixture.StartAsync();
        var port = server.Port("smtps");
        var probe = await SelfProbe.ProbeAsync(new ProbeTarget("smtps", Protocol.Smtp, TlsMode.Implicit, new IPEndPoint(IPAddress.Loopback, port)),
            new ProbeOptions(new MailRootPaths(server.MailRoot), "localhost", TimeSpan.FromSeconds(10), Protocols: SslProtocols.Tls12));
        var openssl = await SClientAsync(port, server.CaFile, null, "-tls1_2");
        Assert.Equal("TLSv1.2", probe.TlsVersion);
        Assert.Equal(openssl.Protocol, probe.TlsVersion);
        Assert.Equal(openssl.Cipher, probe.OpenSslCipher);
        Assert.NotEqual(probe.Cipher, probe.OpenSslCipher);   // e.g. TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 vs ECDHE-ECDSA-AES256-GCM-SHA384
        Assert.True(probe.Verified);
    }

    [Fact]
    public async Task The_probe_warns_when_the_served_certificate_is_not_the_one_on_disk()
    {
        await using var server = await ServerFixture.StartAsync();
        // One handshake first: the TLS context loads server.cert lazily, and only a certificate it once served is kept.
        var before = await ReportAsync(server, probe: true);
        Assert.True(before.Probes.Single(p => p.Endpoint == "smtps").MatchesDisk);
        // A key from another pair: the TLS context keeps serving the last good certificate.
        Actors.Spool.Durable.WriteAllText(Path.Combine(server.MailRoot, "server.key"),
            KeyMaterial.PrivateKeyToPem(KeyMaterial.Generate(KeySpec.Ec256).Private), Actors.Spool.Durable.PrivateFile);
        var stranger = Tls.TestIssuer.NewCa("Other");
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        var leaf = Certificates.IssueServer(stranger.Certificate, stranger.Key, new SubjectFields(CommonName: "localhost"), ["localhost"], key.Public, 100, DateTime.UtcNow.AddDays(-1));
        Actors.Spool.Durable.WriteAllText(Path.Combine(server.MailRoot, "server.cert"), PemCodec.ToPem(leaf));
        var report = await ReportAsync(server, probe: true);
        var smtps = report.Probes.Single(p => p.Endpoint == "smtps");
        Assert.False(smtps.MatchesDisk);
        Assert.True(smtps.Verified, smtps.Item.Detail);
        Assert.Equal(DiagnosticStatus.Warn, smtps.Item.Status);
        Assert.Contains("last good certificate is still served", smtps.Item.Detail);
    }

    [Fact]
    public async Task Ctrl_endpoints_that_are_not_listening_are_reported_by_the_probe_with_the_reason()
    {
        await using var server = await ServerFixture.StartAsync();
        var report = await ReportAsync(server, probe: true);
        foreach (var name in new[] { "ctrl", "ctrls" })
        {
            if (server.Endpoints.ContainsKey(name))
            {
                // CTRL is in this build: the probe went through #!TLS / CTRLS like the others.
                Assert.Equal(DiagnosticStatus.Ok, report.Probes.Single(p => p.Endpoint == name).Item.Status);
                continue;
            }
            var item = report.Items.Single(i => i.Area == "probe" && i.Item == name);
            Assert.Equal(DiagnosticStatus.Warn, item.Status);
            Assert.Contains("not listening", item.Detail);
        }
    }
}
