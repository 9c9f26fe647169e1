using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki.Tests;

public sealed class CertificateProfileTests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    internal static BcX509 Ca(AsymmetricCipherKeyPair key, string cn = "JdMail Test CA") =>
        Certificates.CreateCa(new SubjectFields(Country: "CN", Organization: "JdMail", CommonName: cn), key, Defaults.CaDays, Keys.Now);

    private OpenSslResult Verify(BcX509 ca, BcX509 leaf, params string[] options)
    {
        ssl.Write("ca.pem", PemCodec.ToPem(ca));
        ssl.Write("leaf.pem", PemCodec.ToPem(leaf));
        return ssl.Run(["verify", "-x509_strict", "-auth_level", "2", .. options, "-CAfile", "ca.pem", "leaf.pem"]);
    }

    private static void AssertOk(OpenSslResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("leaf.pem: OK", r.StdOut);
    }

    private static BcX509 Server(AsymmetricCipherKeyPair caKey, BcX509 ca, AsymmetricCipherKeyPair leafKey) =>
        Certificates.IssueServer(ca, caKey.Private, new SubjectFields(CommonName: "mail.example.com"),
            ["smtp.example.com", "*.pop.example.com", "127.0.0.1", "::1"], leafKey.Public, Defaults.ServerDays, Keys.Now);

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Server_certificate_verifies_for_its_hostname_with_openssl(string kind)
    {
        var caKey = kind == "ec" ? Keys.Ec256 : Keys.Rsa2048;
        var leafKey = kind == "ec" ? Keys.Ec256B : Keys.Rsa2048B;
        var ca = Ca(caKey);
        var leaf = Server(caKey, ca, leafKey);

        AssertOk(Verify(ca, leaf, "-purpose", "sslserver", "-verify_hostname", "mail.example.com"));
        AssertOk(Verify(ca, leaf, "-purpose", "sslserver", "-verify_hostname", "smtp.example.com"));
        AssertOk(Verify(ca, leaf, "-purpose", "sslserver", "-verify_hostname", "x.pop.example.com"));
    }

    [Fact]
    public void Server_certificate_verifies_for_its_ip_addresses_with_openssl()
    {
        var ca = Ca(Keys.Ec256);
        var leaf = Server(Keys.Ec256, ca, Keys.Ec256B);

        AssertOk(Verify(ca, leaf, "-purpose", "sslserver", "-verify_ip", "127.0.0.1"));
        AssertOk(Verify(ca, leaf, "-purpose", "sslserver", "-verify_ip", "::1"));
        Assert.NotEqual(0, Verify(ca, leaf, "-purpose", "sslserver", "-verify_ip", "127.0.0.2").ExitCode);
    }

    [Fact]
    public void Server_certificate_fails_for_a_hostname_not_in_its_san()
    {
        var ca = Ca(Keys.Ec256);
        var leaf = Server(Keys.Ec256, ca, Keys.Ec256B);

        var r = Verify(ca, leaf, "-purpose", "sslserver", "-verify_hostname", "evil.example.net");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("hostname mismatch", r.All);
        // A wildcard covers exactly one label.
        Assert.NotEqual(0, Verify(ca, leaf, "-purpose", "sslserver", "-verify_hostname", "a.b.pop.example.com").ExitCode);
    }

    [Fact]
    public void Server_certificate_is_refused_for_client_authentication()
    {
        var ca = Ca(Keys.Ec256);
        var leaf = Server(Keys.Ec256, ca, Keys.Ec256B);

        var r = Verify(ca, leaf, "-purpose", "sslclient");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("unsuitable certificate purpose", r.All);
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Client_certificate_verifies_for_tls_client_auth_and_smime_signing(string kind)
    {
        var caKey = kind == "ec" ? Keys.Ec256 : Keys.Rsa2048;
        var leafKey = kind == "ec" ? Keys.Ec256B : Keys.Rsa2048B;
        var ca = Ca(caKey);
        var leaf = Certificates.IssueClient(ca, caKey.Private,
            new SubjectFields(CommonName: "Zhang Wei", Email: "zhang@example.com"), leafKey.Public, Defaults.ClientDays, Keys.Now);

        AssertOk(Verify(ca, leaf, "-purpose", "sslclient"));
        AssertOk(Verify(ca, leaf, "-purpose", "smimesign"));
        if (kind == "rsa")
        {
            // OpenSSL's smimeencrypt purpose wants keyEncipherment (RSA key transport); EC keys use keyAgreement.
            AssertOk(Verify(ca, leaf, "-purpose", "smimeencrypt"));
        }
        AssertOk(Verify(ca, leaf, "-verify_email", "zhang@example.com"));
        Assert.NotEqual(0, Verify(ca, leaf, "-purpose", "sslserver").ExitCode);
    }

    [Fact]
    public void Client_certificate_requires_an_email_address()
    {
        var ca = Ca(Keys.Ec256);
        var e = Assert.Throws<PkiException>(() => Certificates.IssueClient(ca, Keys.Ec256.Private,
            new SubjectFields(CommonName: "No Mail"), Keys.Ec256B.Public, 30, Keys.Now));
        Assert.Contains("e-mail", e.Message);
    }

    [Fact]
    public void Self_signed_server_certificate_verifies_when_pinned()
    {
        var leaf = Certificates.CreateSelfSignedServer(new SubjectFields(CommonName: "mx.example.org"), ["localhost"],
            Keys.Ec256B, Defaults.ServerDays, Keys.Now);

        Assert.True(leaf.SubjectDN.Equivalent(leaf.IssuerDN));
        AssertOk(Verify(leaf, leaf, "-purpose", "sslserver", "-verify_hostname", "localhost"));
        var text = ssl.Ok("x509", "-in", "leaf.pem", "-noout", "-text").StdOut;
        Assert.Contains("CA:FALSE", text);
        Assert.Contains("DNS:mx.example.org, DNS:localhost", text);
    }

    [Fact]
    public void Openssl_shows_the_ca_profile_extensions()
    {
        ssl.Write("ca.pem", PemCodec.ToPem(Ca(Keys.Ec256)));
        var text = ssl.Ok("x509", "-in", "ca.pem", "-noout", "-text").StdOut;

        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:TRUE", text);
        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature, Certificate Sign, CRL Sign", text);
        Assert.Contains("X509v3 Subject Key Identifier", text);
        Assert.Contains("ecdsa-with-SHA256", text);
        Assert.Contains("ASN1 OID: prime256v1", text);
    }

    [Fact]
    public void Openssl_shows_the_server_profile_extensions()
    {
        var ca = Ca(Keys.Rsa2048);
        ssl.Write("leaf.pem", PemCodec.ToPem(Certificates.IssueServer(ca, Keys.Rsa2048.Private,
            new SubjectFields(CommonName: "mail.example.com"), ["10.0.0.1"], Keys.Rsa2048B.Public, 397, Keys.Now,
            "http://ca.example.com/crl.der")));
        var text = ssl.Ok("x509", "-in", "leaf.pem", "-noout", "-text").StdOut;

        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:FALSE", text);
        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment", text);
        Assert.Contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n", text);
        Assert.Contains("DNS:mail.example.com, IP Address:10.0.0.1", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains("URI:http://ca.example.com/crl.der", text);
        Assert.Contains("sha256WithRSAEncryption", text);
    }

    [Fact]
    public void Openssl_shows_the_client_profile_extensions()
    {
        var ca = Ca(Keys.Ec256);
        ssl.Write("leaf.pem", PemCodec.ToPem(Certificates.IssueClient(ca, Keys.Ec256.Private,
            new SubjectFields(CommonName: "Li Na", Email: "li@example.com"), Keys.Ec256B.Public, 365, Keys.Now)));
        var text = ssl.Ok("x509", "-in", "leaf.pem", "-noout", "-text").StdOut;

        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature, Key Agreement", text);
        Assert.Contains("TLS Web Client Authentication, E-mail Protection", text);
        Assert.Contains("email:li@example.com", text);
        Assert.DoesNotContain("CRL Distribution Points", text);
    }

    [Fact]
    public void P384_keys_sign_with_sha384()
    {
        var ca = Certificates.CreateCa(new SubjectFields(CommonName: "P384 CA"), Keys.Ec384, 100, Keys.Now);
        ssl.Write("ca.pem", PemCodec.ToPem(ca));
        Assert.Contains("ecdsa-with-SHA384", ssl.Ok("x509", "-in", "ca.pem", "-noout", "-text").StdOut);
    }

    [Fact]
    public void Serials_are_positive_large_and_unique_across_1000_issuances()
    {
        var ca = Ca(Keys.Ec256);
        var serials = new HashSet<BigInteger>();
        for (var i = 0; i < 1000; i++)
        {
            var cert = Certificates.IssueClient(ca, Keys.Ec256.Private, new SubjectFields(Email: $"u{i}@example.com"),
                Keys.Ec256B.Public, 1, Keys.Now);
            Assert.True(cert.SerialNumber.SignValue > 0);
            Assert.True(cert.SerialNumber.BitLength >= 64);
            Assert.True(cert.SerialNumber.ToByteArray().Length <= 20);
            serials.Add(cert.SerialNumber);
        }
        Assert.Equal(1000, serials.Count);
    }

    [Fact]
    public void Validity_is_days_after_not_before_and_never_outlives_the_ca()
    {
        var start = new DateTime(2030, 1, 1, 12, 0, 0, 500, DateTimeKind.Utc);
        var ca = Certificates.CreateCa(new SubjectFields(CommonName: "Short CA"), Keys.Ec256, 30, start);
        Assert.Equal(new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc), ca.NotBefore.ToUniversalTime());
        Assert.Equal(new DateTime(2030, 1, 31, 12, 0, 0, DateTimeKind.Utc), ca.NotAfter.ToUniversalTime());

        var leaf = Certificates.IssueServer(ca, Keys.Ec256.Private, new SubjectFields(CommonName: "a.example.com"), [],
            Keys.Ec256B.Public, 397, start.AddDays(1));
        Assert.Equal(ca.NotAfter, leaf.NotAfter);
        Assert.True(leaf.NotAfter > leaf.NotBefore);

        Assert.Throws<PkiException>(() => Certificates.CreateCa(new SubjectFields(CommonName: "x"), Keys.Ec256, 0, start));
        Assert.Throws<PkiException>(() => Certificates.IssueServer(ca, Keys.Ec256.Private,
            new SubjectFields(CommonName: "a.example.com"), [], Keys.Ec256B.Public, 10, start.AddDays(40)));
    }

    [Theory]
    [InlineData("*.com")]
    [InlineData("w*.example.com")]
    [InlineData("foo..example.com")]
    [InlineData("-bad.example.com")]
    [InlineData("under_score.example.com")]
    [InlineData("mail.例子.com")]
    [InlineData("300.1.1.1")]
    [InlineData("1.2.3.4.5")]
    public void Invalid_server_names_are_refused(string name)
    {
        var ca = Ca(Keys.Ec256);
        Assert.Throws<PkiException>(() => Certificates.IssueServer(ca, Keys.Ec256.Private,
            new SubjectFields(CommonName: "ok.example.com"), [name], Keys.Ec256B.Public, 30, Keys.Now));
    }

    [Fact]
    public void Issuing_with_a_key_that_is_not_the_cas_is_refused()
    {
        var ca = Ca(Keys.Ec256);
        var e = Assert.Throws<PkiException>(() => Certificates.IssueServer(ca, Keys.Ec256B.Private,
            new SubjectFields(CommonName: "ok.example.com"), [], Keys.Ec256B.Public, 30, Keys.Now));
        Assert.Contains("does not belong", e.Message);
    }

    [Fact]
    public void Certificate_round_trips_through_pem_and_der()
    {
        var ca = Ca(Keys.Ec256);
        var leaf = Server(Keys.Ec256, ca, Keys.Ec256B);
        var bundle = PemCodec.ToPem([leaf, ca]);

        var read = PemCodec.ReadCertificates("garbage before\n" + bundle);
        Assert.Equal(2, read.Count);
        Assert.Equal(leaf, read[0]);
        Assert.Equal(ca, read[1]);
        Assert.Equal(ca, PemCodec.ReadCertificateAny(PemCodec.ToDer(ca)));
        Assert.Equal(leaf, PemCodec.ReadCertificateAny(System.Text.Encoding.ASCII.GetBytes(bundle)));

        ssl.Write("ca.der", PemCodec.ToDer(ca));
        var subject = ssl.Ok("x509", "-inform", "DER", "-in", "ca.der", "-noout", "-subject").StdOut;
        Assert.Contains("CN = JdMail Test CA", subject);
    }
}
