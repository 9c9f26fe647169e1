using System.Security.Cryptography.X509Certificates;

namespace JdMail.Pki.Tests;

public sealed class KeyMaterialTests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    [Fact]
    public void Key_specs_parse_by_name_and_unknown_names_are_refused()
    {
        Assert.Equal(KeySpec.Ec256, KeySpec.Default);
        Assert.Equal(4096, KeySpec.Parse("RSA4096").RsaBits);
        Assert.True(KeySpec.Parse(" rsa2048 ").IsRsa);
        Assert.False(KeySpec.Parse("ec384").IsRsa);
        var e = Assert.Throws<PkiException>(() => KeySpec.Parse("dsa1024"));
        Assert.Contains("rsa3072", e.Message);
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Openssl_reads_plain_and_encrypted_private_key_pems(string kind)
    {
        var key = kind == "ec" ? Keys.Ec256 : Keys.Rsa2048;
        var plain = KeyMaterial.PrivateKeyToPem(key.Private);
        var encrypted = KeyMaterial.PrivateKeyToEncryptedPem(key.Private, "s3cret pass");
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", plain);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", encrypted);
        ssl.Write("plain.pem", plain);
        ssl.Write("enc.pem", encrypted);

        Assert.Equal("", ssl.Ok("pkey", "-in", "plain.pem", "-noout").All.Trim());
        ssl.Ok("pkey", "-in", "enc.pem", "-passin", "pass:s3cret pass", "-noout");
        Assert.NotEqual(0, ssl.Run("pkey", "-in", "enc.pem", "-passin", "pass:wrong", "-noout").ExitCode);
        var asn1 = ssl.Ok("asn1parse", "-in", "enc.pem").StdOut;
        Assert.Contains("PBES2", asn1);
        Assert.Contains("hmacWithSHA256", asn1);
        Assert.Contains("aes-256-cbc", asn1);
        // Same key comes back out of openssl.
        var fromOpenSsl = ssl.Ok("pkey", "-in", "enc.pem", "-passin", "pass:s3cret pass").StdOut;
        Assert.Equal(key.Private, KeyMaterial.ReadPrivateKeyPem(fromOpenSsl));
    }

    [Fact]
    public void Keys_written_by_openssl_in_every_common_format_are_read()
    {
        ssl.Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec8.pem");
        ssl.Ok("ec", "-in", "ec8.pem", "-out", "ectrad.pem");
        ssl.Ok("pkcs8", "-topk8", "-in", "ec8.pem", "-v2", "aes-256-cbc", "-passout", "pass:pw", "-out", "ecenc.pem");
        ssl.Write("rsa.pem", KeyMaterial.PrivateKeyToPem(Keys.Rsa2048.Private));
        ssl.Ok("rsa", "-in", "rsa.pem", "-traditional", "-out", "rsatrad.pem");
        ssl.Ok("rsa", "-in", "rsa.pem", "-traditional", "-aes256", "-passout", "pass:pw", "-out", "rsatradenc.pem");
        Assert.Contains("BEGIN EC PRIVATE KEY", ssl.Read("ectrad.pem"));
        Assert.Contains("DEK-Info", ssl.Read("rsatradenc.pem"));

        var ec = KeyMaterial.ReadPrivateKeyPem(ssl.Read("ec8.pem"));
        Assert.Equal(ec, KeyMaterial.ReadPrivateKeyPem(ssl.Read("ectrad.pem")));
        Assert.Equal(ec, KeyMaterial.ReadPrivateKeyPem(ssl.Read("ecenc.pem"), "pw"));
        Assert.Equal(Keys.Rsa2048.Private, KeyMaterial.ReadPrivateKeyPem(ssl.Read("rsatrad.pem")));
        Assert.Equal(Keys.Rsa2048.Private, KeyMaterial.ReadPrivateKeyPem(ssl.Read("rsatradenc.pem"), "pw"));

        Assert.Contains("passphrase is required", Assert.Throws<PkiException>(() => KeyMaterial.ReadPrivateKeyPem(ssl.Read("ecenc.pem"))).Message);
        Assert.Contains("wrong passphrase", Assert.Throws<PkiException>(() => KeyMaterial.ReadPrivateKeyPem(ssl.Read("ecenc.pem"), "nope")).Message);
        Assert.Throws<PkiException>(() => KeyMaterial.ReadPrivateKeyPem("no key here"));
    }

    [Fact]
    public void Is_pair_tells_the_certificates_key_from_others()
    {
        var ca = CertificateProfileTests.Ca(Keys.Ec256);
        Assert.True(KeyMaterial.IsPair(ca, Keys.Ec256.Private));
        Assert.True(KeyMaterial.IsPair(ca, KeyMaterial.ReadPrivateKeyPem(KeyMaterial.PrivateKeyToPem(Keys.Ec256.Private))));
        Assert.False(KeyMaterial.IsPair(ca, Keys.Ec256B.Private));
        Assert.False(KeyMaterial.IsPair(ca, Keys.Rsa2048.Private));
        Assert.False(KeyMaterial.IsPair(ca, Keys.Ec256.Public));

        var rsaCa = CertificateProfileTests.Ca(Keys.Rsa2048);
        Assert.True(KeyMaterial.IsPair(rsaCa, Keys.Rsa2048.Private));
        Assert.False(KeyMaterial.IsPair(rsaCa, Keys.Rsa2048B.Private));
    }

    [Fact]
    public void Public_from_private_gives_the_generated_public_key()
    {
        Assert.Equal(Keys.Ec384.Public, KeyMaterial.PublicFromPrivate(Keys.Ec384.Private));
        Assert.Equal(Keys.Rsa2048.Public, KeyMaterial.PublicFromPrivate(Keys.Rsa2048.Private));
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Dotnet_loads_a_pem_certificate_with_its_pem_key(string kind)
    {
        var caKey = Keys.Ec256;
        var leafKey = kind == "ec" ? Keys.Ec256B : Keys.Rsa2048B;
        var ca = CertificateProfileTests.Ca(caKey);
        var leaf = Certificates.IssueServer(ca, caKey.Private, new SubjectFields(CommonName: "mail.example.com"), [],
            leafKey.Public, Defaults.ServerDays, Keys.Now);

        using var cert = X509Certificate2.CreateFromPem(PemCodec.ToPem(leaf), KeyMaterial.PrivateKeyToPem(leafKey.Private));
        Assert.True(cert.HasPrivateKey);
        Assert.Equal("CN=mail.example.com", cert.Subject);

        using var fromEncrypted = X509Certificate2.CreateFromEncryptedPem(PemCodec.ToPem(leaf),
            KeyMaterial.PrivateKeyToEncryptedPem(leafKey.Private, "pw"), "pw");
        Assert.True(fromEncrypted.HasPrivateKey);
    }
}
