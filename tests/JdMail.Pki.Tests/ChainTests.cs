using Org.BouncyCastle.Math;

namespace JdMail.Pki.Tests;

public sealed class ChainTests
{
    private static readonly SubjectFields RootName = new(Organization: "JdMail", CommonName: "Root CA");
    private static readonly SubjectFields SubName = new(Organization: "JdMail", CommonName: "Issuing CA");

    private sealed record Pki(Org.BouncyCastle.X509.X509Certificate Root, Org.BouncyCastle.X509.X509Certificate Sub,
        Org.BouncyCastle.X509.X509Certificate Leaf);

    private static Pki Make()
    {
        var root = Certificates.CreateCa(RootName, Keys.Rsa2048, Defaults.CaDays, Keys.Now);
        var sub = Certificates.IssueSubordinateCa(root, Keys.Rsa2048.Private, SubName, Keys.Ec256.Public, 3650, Keys.Now);
        var leaf = Certificates.IssueServer(sub, Keys.Ec256.Private, new SubjectFields(CommonName: "mail.example.com"), [],
            Keys.Ec256B.Public, Defaults.ServerDays, Keys.Now);
        return new Pki(root, sub, leaf);
    }

    [Fact]
    public void Chain_check_accepts_a_leaf_issued_through_an_intermediate()
    {
        var p = Make();
        var result = ChainValidator.Verify(p.Leaf, [p.Root], DateTime.UtcNow, [p.Sub]);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal([p.Leaf, p.Sub, p.Root], result.Path);
    }

    [Fact]
    public void Chain_check_reports_an_expired_leaf_a_missing_issuer_and_an_untrusted_root()
    {
        var p = Make();
        var expired = ChainValidator.Verify(p.Leaf, [p.Root], DateTime.UtcNow.AddDays(400), [p.Sub]);
        Assert.False(expired.IsValid);
        Assert.Contains("expired", expired.Reason);

        var missing = ChainValidator.Verify(p.Leaf, [p.Root], DateTime.UtcNow);
        Assert.False(missing.IsValid);
        Assert.Contains("Issuing CA", missing.Reason);

        var otherRoot = Certificates.CreateCa(RootName, Keys.Rsa2048B, 100, Keys.Now);
        Assert.False(ChainValidator.Verify(p.Leaf, [otherRoot], DateTime.UtcNow, [p.Sub]).IsValid);
    }

    [Fact]
    public void Chain_check_enforces_path_length_and_ca_flag()
    {
        var p = Make();
        // The issuing CA has pathLen 0, so a CA below it breaks the chain.
        var deeper = Certificates.IssueSubordinateCa(p.Sub, Keys.Ec256.Private, new SubjectFields(CommonName: "Too Deep CA"),
            Keys.Ec384.Public, 100, Keys.Now);
        var leaf = Certificates.IssueServer(deeper, Keys.Ec384.Private, new SubjectFields(CommonName: "deep.example.com"), [],
            Keys.Ec256B.Public, 30, Keys.Now);
        var result = ChainValidator.Verify(leaf, [p.Root], DateTime.UtcNow, [p.Sub, deeper]);
        Assert.False(result.IsValid);
        Assert.Contains("intermediate", result.Reason);

        // A server certificate cannot act as an issuer.
        var e = Assert.Throws<PkiException>(() => Certificates.IssueServer(p.Leaf, Keys.Ec256B.Private,
            new SubjectFields(CommonName: "x.example.com"), [], Keys.Ec256.Public, 30, Keys.Now));
        Assert.Contains("not a CA", e.Message);
    }

    [Fact]
    public void Chain_check_rejects_a_revoked_leaf()
    {
        var p = Make();
        var crl = Crls.Create(p.Sub, Keys.Ec256.Private, [new RevokedEntry(p.Leaf.SerialNumber, Keys.Now)], BigInteger.One,
            Keys.Now, Keys.Now.AddDays(7));
        var result = ChainValidator.Verify(p.Leaf, [p.Root], DateTime.UtcNow, [p.Sub], [crl]);
        Assert.False(result.IsValid);
        Assert.Contains("revoked", result.Reason);
    }

    [Fact]
    public void Import_orders_a_shuffled_bundle_leaf_first_and_checks_the_key()
    {
        var p = Make();
        var bundle = PemCodec.ToPem([p.Root, p.Leaf, p.Sub, p.Sub]);

        var chain = CertificateImport.Check(bundle, Keys.Ec256B.Private);
        Assert.Equal([p.Leaf, p.Sub, p.Root], chain.All);
        Assert.Equal([p.Leaf, p.Sub, p.Root], PemCodec.ReadCertificates(chain.ToPem()));

        var wrongKey = Assert.Throws<PkiException>(() => CertificateImport.Check(bundle, Keys.Rsa2048B.Private));
        Assert.Contains("matches the stored private key", wrongKey.Message);

        var stray = Certificates.CreateCa(new SubjectFields(CommonName: "Stray CA"), Keys.Ec384, 10, Keys.Now);
        var strayError = Assert.Throws<PkiException>(() => CertificateImport.Check(bundle + PemCodec.ToPem(stray), Keys.Ec256B.Private));
        Assert.Contains("Stray CA", strayError.Message);

        Assert.Throws<PkiException>(() => CertificateImport.Check("not a certificate", Keys.Ec256B.Private));
    }

    [Fact]
    public void Imported_chain_verifies_with_openssl_using_the_intermediate_from_the_bundle()
    {
        using var ssl = new OpenSsl();
        var p = Make();
        var chain = CertificateImport.Check(PemCodec.ToPem([p.Sub, p.Leaf]), Keys.Ec256B.Private);
        ssl.Write("root.pem", PemCodec.ToPem(p.Root));
        ssl.Write("chain.pem", PemCodec.ToPem(chain.Issuers));
        ssl.Write("leaf.pem", PemCodec.ToPem(chain.Leaf));

        var r = ssl.Ok("verify", "-x509_strict", "-auth_level", "2", "-purpose", "sslserver", "-verify_hostname", "mail.example.com",
            "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem");
        Assert.Contains("leaf.pem: OK", r.StdOut);
    }
}
