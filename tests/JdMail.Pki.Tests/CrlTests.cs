using Org.BouncyCastle.Math;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki.Tests;

public sealed class CrlTests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    private static (BcX509 Ca, BcX509 Revoked, BcX509 Good, Org.BouncyCastle.X509.X509Crl Crl) Setup(Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair caKey)
    {
        var ca = CertificateProfileTests.Ca(caKey);
        var revoked = Certificates.IssueServer(ca, caKey.Private, new SubjectFields(CommonName: "old.example.com"), [],
            Keys.Ec256B.Public, 90, Keys.Now, "http://ca.example.com/ca.crl");
        var good = Certificates.IssueServer(ca, caKey.Private, new SubjectFields(CommonName: "new.example.com"), [],
            Keys.Ec256B.Public, 90, Keys.Now, "http://ca.example.com/ca.crl");
        var crl = Crls.Create(ca, caKey.Private,
            [new RevokedEntry(revoked.SerialNumber, Keys.Now, RevocationReason.KeyCompromise),
             new RevokedEntry(BigInteger.ValueOf(4242), Keys.Now)],
            BigInteger.ValueOf(7), Keys.Now, Keys.Now.AddDays(7));
        return (ca, revoked, good, crl);
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Crl_verifies_with_openssl_and_lists_the_revoked_serials(string kind)
    {
        var (ca, revoked, _, crl) = Setup(kind == "ec" ? Keys.Ec256 : Keys.Rsa2048);
        ssl.Write("ca.pem", PemCodec.ToPem(ca));
        ssl.Write("crl.pem", PemCodec.ToPem(crl));

        Assert.Contains("verify OK", ssl.Ok("crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout").All);
        var text = ssl.Ok("crl", "-in", "crl.pem", "-noout", "-text").StdOut;
        Assert.Contains("X509v3 CRL Number: \n                7", text);
        Assert.Contains("Serial Number: " + revoked.SerialNumber.ToString(16).ToUpperInvariant(), text);
        Assert.Contains("Key Compromise", text);
        Assert.Contains("Serial Number: 1092", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains(kind == "ec" ? "ecdsa-with-SHA256" : "sha256WithRSAEncryption", text);
    }

    [Fact]
    public void Openssl_crl_check_rejects_the_revoked_leaf_and_accepts_the_other()
    {
        var (ca, revoked, good, crl) = Setup(Keys.Ec256);
        ssl.Write("ca.pem", PemCodec.ToPem(ca));
        ssl.Write("crl.pem", PemCodec.ToPem(crl));
        ssl.Write("revoked.pem", PemCodec.ToPem(revoked));
        ssl.Write("good.pem", PemCodec.ToPem(good));

        var r = ssl.Run("verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "ca.pem", "revoked.pem");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("certificate revoked", r.All);
        Assert.Contains("good.pem: OK", ssl.Ok("verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "ca.pem", "good.pem").StdOut);
    }

    [Fact]
    public void Crl_round_trips_through_pem_and_der()
    {
        var (ca, revoked, _, crl) = Setup(Keys.Ec256);
        ssl.Write("crl.der", PemCodec.ToDer(crl));
        Assert.Contains("Serial Number", ssl.Ok("crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text").StdOut);

        foreach (var back in new[] { PemCodec.ReadCrlAny(PemCodec.ToDer(crl)),
                     PemCodec.ReadCrlAny(System.Text.Encoding.ASCII.GetBytes(PemCodec.ToPem(crl))) })
        {
            Assert.Equal(BigInteger.ValueOf(7), Crls.Number(back));
            Assert.Equal([revoked.SerialNumber, BigInteger.ValueOf(4242)], Crls.RevokedSerials(back));
            Assert.True(Crls.IsSignedBy(back, ca));
            Assert.True(back.IsRevoked(revoked));
        }
        Assert.False(Crls.IsSignedBy(crl, CertificateProfileTests.Ca(Keys.Ec256B)));
    }

    [Fact]
    public void Crl_issuer_hash_matches_openssl_crl_hash()
    {
        var (_, _, _, crl) = Setup(Keys.Ec256);
        ssl.Write("crl.pem", PemCodec.ToPem(crl));
        Assert.Equal(ssl.Ok("crl", "-in", "crl.pem", "-noout", "-hash").StdOut.Trim(), OpenSslHash.HashHex(OpenSslHash.IssuerHash(crl)));
    }

    [Fact]
    public void Crl_with_next_update_before_this_update_is_refused()
    {
        var ca = CertificateProfileTests.Ca(Keys.Ec256);
        Assert.Throws<PkiException>(() => Crls.Create(ca, Keys.Ec256.Private, [], BigInteger.One, Keys.Now, Keys.Now));
        Assert.Throws<PkiException>(() => Crls.Create(ca, Keys.Ec256B.Private, [], BigInteger.One, Keys.Now, Keys.Now.AddDays(1)));
    }
}
