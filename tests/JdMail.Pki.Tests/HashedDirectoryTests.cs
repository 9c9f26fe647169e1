using Org.BouncyCastle.Math;

namespace JdMail.Pki.Tests;

public sealed class HashedDirectoryTests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    [Fact]
    public void Names_match_openssl_rehash_including_collisions_duplicates_and_crls()
    {
        // Two different CAs with the same subject have the same hash: a collision (.0 and .1).
        var first = Certificates.CreateCa(new SubjectFields(CommonName: "Same Name CA"), Keys.Ec256, 100, Keys.Now);
        var second = Certificates.CreateCa(new SubjectFields(CommonName: "same   name ca"), Keys.Ec256B, 100, Keys.Now);
        var other = Certificates.CreateCa(new SubjectFields(Organization: "Other", CommonName: "Other CA"), Keys.Rsa2048, 100, Keys.Now);
        var certs = new[] { first, second, other, first };
        var crls = new[]
        {
            Crls.Create(first, Keys.Ec256.Private, [], BigInteger.One, Keys.Now, Keys.Now.AddDays(1)),
            Crls.Create(other, Keys.Rsa2048.Private, [], BigInteger.One, Keys.Now, Keys.Now.AddDays(1)),
        };

        var expected = HashedDirectory.Names(certs, crls);

        var dir = Directory.CreateDirectory(Path.Combine(ssl.Dir, "certs")).FullName;
        for (var i = 0; i < certs.Length; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"c{i}.pem"), PemCodec.ToPem(certs[i]));
        }
        for (var i = 0; i < crls.Length; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"r{i}.pem"), PemCodec.ToPem(crls[i]));
        }
        var r = ssl.Ok("rehash", dir);
        Assert.Contains("skipping duplicate certificate in c3.pem", r.All);

        var links = new DirectoryInfo(dir).GetFiles().Where(f => f.LinkTarget is not null)
            .ToDictionary(f => f.Name, f => f.LinkTarget!);
        Assert.Equal(5, links.Count);
        Assert.Equal(5, expected.Count);
        foreach (var file in expected)
        {
            var source = file.Certificate is not null
                ? $"c{Array.IndexOf(certs, file.Certificate)}.pem"
                : $"r{Array.IndexOf(crls, file.Crl)}.pem";
            Assert.Equal(source, links[file.FileName]);
        }
        var hash = OpenSslHash.HashHex(OpenSslHash.SubjectHash(first));
        Assert.Equal(hash, OpenSslHash.HashHex(OpenSslHash.SubjectHash(second)));
        Assert.Equal([$"{hash}.0", $"{hash}.1", $"{hash}.r0"], expected.Where(f => f.FileName.StartsWith(hash)).Select(f => f.FileName));
    }
}
