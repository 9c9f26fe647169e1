using System.Security.Cryptography.X509Certificates;

namespace JdMail.Pki.Tests;

public sealed class Pkcs12Tests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    private static (byte[] P12, string Password) Make(Pkcs12Profile profile, Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair leafKey)
    {
        var ca = CertificateProfileTests.Ca(Keys.Ec256);
        var leaf = Certificates.IssueClient(ca, Keys.Ec256.Private, new SubjectFields(CommonName: "Wang Fang", Email: "wang@example.com"),
            leafKey.Public, Defaults.ClientDays, Keys.Now);
        var password = Passwords.Generate();
        return (Pkcs12.Create(leafKey.Private, leaf, [ca], password, "Wang Fang (JdMail)", profile), password);
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public void Modern_p12_opens_with_openssl_3_without_legacy(string kind)
    {
        var (p12, password) = Make(Pkcs12Profile.Modern, kind == "ec" ? Keys.Ec256B : Keys.Rsa2048B);
        ssl.Write("modern.p12", p12);

        var r = ssl.Ok("pkcs12", "-info", "-nodes", "-passin", "pass:" + password, "-in", "modern.p12");
        Assert.Contains("MAC: sha256", r.All);
        Assert.Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", r.All);
        Assert.Contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC", r.All);
        Assert.Contains("PRF hmacWithSHA256", r.All);
        Assert.Contains("friendlyName: Wang Fang (JdMail)", r.All);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", r.StdOut);
        Assert.Equal(2, PemCodec.ReadCertificates(r.StdOut).Count);

        Assert.NotEqual(0, ssl.Run("pkcs12", "-info", "-nodes", "-passin", "pass:wrong", "-in", "modern.p12").ExitCode);
    }

    [Fact]
    public void Legacy_p12_uses_triple_des_and_a_sha1_mac()
    {
        var (p12, password) = Make(Pkcs12Profile.Legacy, Keys.Rsa2048B);
        ssl.Write("legacy.p12", p12);

        var r = ssl.Ok("pkcs12", "-legacy", "-info", "-nodes", "-passin", "pass:" + password, "-in", "legacy.p12");
        Assert.Contains("MAC: sha1", r.All);
        Assert.Contains("pbeWithSHA1And3-KeyTripleDES-CBC", r.All);
        Assert.DoesNotContain("PBES2", r.All);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", r.StdOut);
        Assert.Equal(2, PemCodec.ReadCertificates(r.StdOut).Count);
    }

    [Theory]
    [InlineData(Pkcs12Profile.Modern)]
    [InlineData(Pkcs12Profile.Legacy)]
    public void Dotnet_loads_both_p12_profiles_with_the_private_key_and_chain(Pkcs12Profile profile)
    {
        var (p12, password) = Make(profile, Keys.Ec256B);

        using var cert = X509CertificateLoader.LoadPkcs12(p12, password);
        Assert.True(cert.HasPrivateKey);
        Assert.Equal("E=wang@example.com, CN=Wang Fang", cert.Subject);
        var all = X509CertificateLoader.LoadPkcs12Collection(p12, password);
        Assert.Equal(2, all.Count);
        foreach (var c in all)
        {
            c.Dispose();
        }
    }

    [Fact]
    public void P12_with_a_key_that_is_not_the_certificates_is_refused()
    {
        var ca = CertificateProfileTests.Ca(Keys.Ec256);
        var e = Assert.Throws<PkiException>(() => Pkcs12.Create(Keys.Ec256B.Private, ca, [], "pw", "x"));
        Assert.Contains("does not belong", e.Message);
        Assert.Equal(Pkcs12Profile.Legacy, Pkcs12.ParseProfile("LEGACY"));
        Assert.Throws<PkiException>(() => Pkcs12.ParseProfile("rc2"));
    }

    [Fact]
    public void Generated_passwords_are_twenty_unambiguous_random_characters()
    {
        var passwords = Enumerable.Range(0, 200).Select(_ => Passwords.Generate()).ToList();
        Assert.All(passwords, p =>
        {
            Assert.Equal(20, p.Length);
            Assert.All(p, c => Assert.Contains(c, Passwords.Alphabet));
        });
        Assert.Equal(200, passwords.Distinct().Count());
        Assert.DoesNotContain(Passwords.Alphabet, c => "0O1lI".Contains(c));
        // Every symbol shows up over 4000 draws: no stuck or missing characters.
        Assert.Equal(Passwords.Alphabet.Length, string.Concat(passwords).Distinct().Count());
    }
}
