namespace JdMail.Pki.Tests;

public sealed class CsrTests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Csr_verifies_with_openssl_and_parses_back(string kind)
    {
        var key = kind == "ec" ? Keys.Ec256B : Keys.Rsa2048B;
        var subject = new SubjectFields("CN", "北京", "北京", "京东邮件", "运维", "mail.example.cn", "admin@example.cn");
        var pem = CertificateRequests.ToPem(CertificateRequests.Create(subject, ["smtp.example.cn", "192.0.2.7"], key));
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----\n", pem);
        ssl.Write("csr.pem", pem);

        var r = ssl.Ok("req", "-verify", "-noout", "-in", "csr.pem");
        Assert.Contains("verify OK", r.All);
        var text = ssl.Ok("req", "-in", "csr.pem", "-noout", "-text", "-nameopt", "oneline,-esc_msb").StdOut;
        Assert.Contains("DNS:mail.example.cn, DNS:smtp.example.cn, IP Address:192.0.2.7", text);
        Assert.Contains("O = 京东邮件", text);

        var info = CertificateRequests.Parse(pem);
        Assert.Equal(["mail.example.cn", "smtp.example.cn", "192.0.2.7"], info.Names);
        Assert.Equal(subject, info.Fields);
        Assert.Equal(key.Public, info.PublicKey);
        Assert.False(info.RequestsCa);
    }

    [Fact]
    public void Csr_with_a_broken_signature_is_refused()
    {
        var der = CertificateRequests.Create(new SubjectFields(CommonName: "a.example.com"), [], Keys.Rsa2048B).GetEncoded();
        der[^5] ^= 0x01;
        var e = Assert.Throws<PkiException>(() => CertificateRequests.Parse(der));
        Assert.Contains("signature", e.Message);
    }

    private CsrInfo OpenSslCsr(params string[] extensions)
    {
        ssl.Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        var args = new List<string> { "req", "-new", "-key", "k.pem", "-subj", "/CN=mail.example.com", "-out", "csr.pem" };
        foreach (var ext in extensions)
        {
            args.AddRange(["-addext", ext]);
        }
        ssl.Ok([.. args]);
        return CertificateRequests.Parse(ssl.Read("csr.pem"));
    }

    [Fact]
    public void Csr_asking_for_a_ca_certificate_is_refused()
    {
        var request = OpenSslCsr("basicConstraints=critical,CA:TRUE", "subjectAltName=DNS:mail.example.com");
        Assert.True(request.RequestsCa);
        var ca = CertificateProfileTests.Ca(Keys.Ec256);

        var e = Assert.Throws<PkiException>(() => CertificateRequests.IssueServer(ca, Keys.Ec256.Private, request,
            new CsrApproval(new SubjectFields(CommonName: "mail.example.com"), []), 90, Keys.Now));
        Assert.Contains("CA:TRUE", e.Message);
    }

    [Fact]
    public void Csr_asking_for_names_not_approved_is_refused()
    {
        var request = OpenSslCsr("subjectAltName=DNS:mail.example.com,DNS:www.bank.example");
        var ca = CertificateProfileTests.Ca(Keys.Ec256);

        var e = Assert.Throws<PkiException>(() => CertificateRequests.IssueServer(ca, Keys.Ec256.Private, request,
            new CsrApproval(new SubjectFields(CommonName: "mail.example.com"), []), 90, Keys.Now));
        Assert.Contains("www.bank.example", e.Message);
    }

    [Fact]
    public void Certificate_from_a_csr_carries_the_cas_policy_not_the_requests_extensions()
    {
        var request = OpenSslCsr("subjectAltName=DNS:mail.example.com", "keyUsage=critical,keyCertSign,cRLSign",
            "extendedKeyUsage=codeSigning");
        var ca = CertificateProfileTests.Ca(Keys.Ec256);

        var cert = CertificateRequests.IssueServer(ca, Keys.Ec256.Private, request,
            new CsrApproval(new SubjectFields(Organization: "Approved Org", CommonName: "mail.example.com"), ["mx.example.com"]),
            90, Keys.Now);

        ssl.Write("ca.pem", PemCodec.ToPem(ca));
        ssl.Write("leaf.pem", PemCodec.ToPem(cert));
        var text = ssl.Ok("x509", "-in", "leaf.pem", "-noout", "-text").StdOut;
        Assert.Contains("Digital Signature\n", text);
        Assert.DoesNotContain("Certificate Sign", text);
        Assert.DoesNotContain("Code Signing", text);
        Assert.Contains("O = Approved Org, CN = mail.example.com", text);
        Assert.Contains("DNS:mail.example.com, DNS:mx.example.com", text);
        ssl.Ok("verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "mx.example.com", "-CAfile", "ca.pem", "leaf.pem");
        Assert.True(KeyMaterial.IsPair(cert, KeyMaterial.ReadPrivateKeyPem(ssl.Read("k.pem"))));
    }
}
