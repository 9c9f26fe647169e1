using System.Diagnostics;
using System.Text;
using JdMail.Actors.Spool;
using JdMail.Pki;

namespace JdMail.Integration.Tests.Tls;

/// <summary>XMail's SSL options for client certificates, plus revocation and expiry, against real handshakes.</summary>
public sealed class ClientCertificateTests
{
    private const string Required = "jdmail.tls.client-certificates { want-cert = true, use-certs-file = true }";

    private static async Task<(int Exit, string Output)> OpenSsl(string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await output + await error);
    }

    [Fact]
    public async Task With_client_certificates_off_the_handshake_has_no_certificate_request()
    {
        await using var server = await ServerFixture.StartAsync();
        var (_, output) = await OpenSsl("QUIT\r\n", "s_client", "-connect", $"127.0.0.1:{server.Port("smtps")}", "-CAfile", server.CaFile,
            "-verify_hostname", "localhost", "-verify_return_error", "-msg", "-ign_eof");
        Assert.Contains("220 localhost ESMTP JdMail", output);
        Assert.Contains("Verify return code: 0 (ok)", output);
        Assert.DoesNotContain("CertificateRequest", output);
    }

    [Fact]
    public async Task A_valid_certificate_from_our_ca_is_accepted_and_none_is_refused_when_required_openssl()
    {
        await using var server = await ServerFixture.StartAsync(Required);
        var alice = TestIssuer.FromMailRoot(server.MailRoot).Client("alice@example.test");
        var (certFile, keyFile) = alice.WriteTo(server.MailRoot);
        var (_, accepted) = await OpenSsl("QUIT\r\n", "s_client", "-connect", $"127.0.0.1:{server.Port("smtps")}", "-CAfile", server.CaFile,
            "-verify_hostname", "localhost", "-verify_return_error", "-cert", certFile, "-key", keyFile, "-msg", "-ign_eof");
        Assert.Contains("CertificateRequest", accepted);
        Assert.Contains("220 localhost ESMTP JdMail", accepted);

        var (_, refused) = await OpenSsl("QUIT\r\n", "s_client", "-connect", $"127.0.0.1:{server.Port("smtps")}", "-CAfile", server.CaFile,
            "-verify_hostname", "localhost", "-ign_eof");
        Assert.DoesNotContain("220 localhost", refused);
    }

    [Fact]
    public async Task Required_certificates_are_checked_for_issuer_self_signing_expiry_and_revocation()
    {
        await using var server = await ServerFixture.StartAsync(Required);
        var port = server.Port("smtps");
        var ca = TestIssuer.FromMailRoot(server.MailRoot);

        Assert.True((await TlsProbe.ConnectAsync(port, server.CaCertificate, ca.Client("alice@example.test"))).Admitted);
        Assert.False((await TlsProbe.ConnectAsync(port, server.CaCertificate)).Admitted);
        Assert.False((await TlsProbe.ConnectAsync(port, server.CaCertificate, TestIssuer.NewCa("Stranger CA").Client("alice@example.test"))).Admitted);
        Assert.False((await TlsProbe.ConnectAsync(port, server.CaCertificate, ClientCert.SelfSigned("alice@example.test"))).Admitted);
        var expired = ca.Client("alice@example.test", notBefore: DateTime.UtcNow.AddDays(-10), days: 2);
        Assert.False((await TlsProbe.ConnectAsync(port, server.CaCertificate, expired)).Admitted);

        // Revoke one certificate in a CRL signed by our CA: it is refused from the next handshake on, others are not.
        var revoked = ca.Client("alice@example.test");
        var kept = ca.Client("alice@example.test");
        Assert.True((await TlsProbe.ConnectAsync(port, server.CaCertificate, revoked)).Admitted);
        var crl = Crls.Create(ca.Certificate, ca.Key,
            [new RevokedEntry(new Org.BouncyCastle.Math.BigInteger(revoked.Serial, 16), DateTime.UtcNow, RevocationReason.KeyCompromise)],
            Org.BouncyCastle.Math.BigInteger.One, DateTime.UtcNow, DateTime.UtcNow.AddDays(7));
        Durable.WriteAllText(Path.Combine(server.MailRoot, "sslconf", "ca", "crl.pem"), PemCodec.ToPem(crl));
        Assert.False((await TlsProbe.ConnectAsync(port, server.CaCertificate, revoked)).Admitted);
        Assert.True((await TlsProbe.ConnectAsync(port, server.CaCertificate, kept)).Admitted);
    }

    [Fact]
    public async Task MailKit_with_a_client_certificate_is_admitted_and_without_one_is_refused()
    {
        await using var server = await ServerFixture.StartAsync(Required);
        var alice = TestIssuer.FromMailRoot(server.MailRoot).Client("alice@example.test");
        using (var client = new MailKit.Net.Smtp.SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(server.CaCertificate) })
        {
            client.ClientCertificates = new System.Security.Cryptography.X509Certificates.X509CertificateCollection { alice.WithKey };
            await client.ConnectAsync("localhost", server.Port("smtps"), MailKit.Security.SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
            Assert.True(client.IsAuthenticated);
            await client.DisconnectAsync(true);
        }
        using (var client = new MailKit.Net.Pop3.Pop3Client { ServerCertificateValidationCallback = TrustedCa.Callback(server.CaCertificate) })
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync("localhost", server.Port("pop3s"), MailKit.Security.SecureSocketOptions.SslOnConnect));
            Assert.False(client.IsConnected && client.IsAuthenticated);
        }
    }

    [Fact]
    public async Task Self_signed_client_certificates_pass_only_with_allow_self_signed()
    {
        await using var server = await ServerFixture.StartAsync(
            "jdmail.tls.client-certificates { want-cert = true, use-certs-file = true, allow-self-signed = true }");
        Assert.True((await TlsProbe.ConnectAsync(server.Port("pop3s"), server.CaCertificate, ClientCert.SelfSigned("x@example.test"))).Admitted);
    }

    [Fact]
    public async Task The_chain_depth_limit_counts_intermediate_cas()
    {
        // certs.pem holds our root; the client sends leaf + intermediate.
        await using var strict = await ServerFixture.StartAsync(
            "jdmail.tls.client-certificates { want-cert = true, use-certs-file = true, max-depth = 0 }");
        var root = TestIssuer.FromMailRoot(strict.MailRoot);
        var mid = root.Intermediate("Dept CA");
        var viaMid = mid.Client("alice@example.test", chainAbove: mid);
        Assert.False((await TlsProbe.ConnectAsync(strict.Port("smtps"), strict.CaCertificate, viaMid)).Admitted);
        Assert.True((await TlsProbe.ConnectAsync(strict.Port("smtps"), strict.CaCertificate, root.Client("alice@example.test"))).Admitted);

        await using var relaxed = await ServerFixture.StartAsync(
            "jdmail.tls.client-certificates { want-cert = true, use-certs-file = true, max-depth = 1 }");
        var root2 = TestIssuer.FromMailRoot(relaxed.MailRoot);
        var mid2 = root2.Intermediate("Dept CA");
        Assert.True((await TlsProbe.ConnectAsync(relaxed.Port("smtps"), relaxed.CaCertificate, mid2.Client("alice@example.test", chainAbove: mid2))).Admitted);
    }

    [Fact]
    public async Task Verify_without_want_cert_admits_clients_without_a_certificate_but_checks_those_that_send_one()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.tls.client-certificates { want-verify = true, use-certs-dir = true }");
        Assert.True((await TlsProbe.ConnectAsync(server.Port("smtps"), server.CaCertificate)).Admitted);
        Assert.True((await TlsProbe.ConnectAsync(server.Port("smtps"), server.CaCertificate, TestIssuer.FromMailRoot(server.MailRoot).Client("a@example.test"))).Admitted);
        Assert.False((await TlsProbe.ConnectAsync(server.Port("smtps"), server.CaCertificate, TestIssuer.NewCa("Other").Client("a@example.test"))).Admitted);
    }
}
