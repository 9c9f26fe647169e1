namespace JdMail.Pki.Tests;

public sealed class OpenSslHashTests : IDisposable
{
    private readonly OpenSsl ssl = new();

    public void Dispose() => ssl.Dispose();

    public static TheoryData<SubjectFields> Subjects => new()
    {
        new SubjectFields(CommonName: "MiXeD Case Name"),
        new SubjectFields(Organization: "   Leading and   internal    spaces", CommonName: "Trailing   "),
        new SubjectFields(Country: "CN", Organization: "京东邮件 有限公司", CommonName: "邮件服务器 Mail"),
        new SubjectFields(CommonName: "Admin", Email: "Admin@Example.COM"),
        new SubjectFields("de", "Bayern", "München", "Beispiel GmbH", "IT  Abteilung", "Mail.Beispiel.DE", "postmaster@beispiel.de"),
    };

    [Theory]
    [MemberData(nameof(Subjects))]
    public void Subject_hash_matches_openssl_x509_hash(SubjectFields subject)
    {
        var ca = Certificates.CreateCa(subject with { CommonName = subject.CommonName ?? "x" }, Keys.Ec256, 30, Keys.Now);
        ssl.Write("c.pem", PemCodec.ToPem(ca));

        var expected = ssl.Ok("x509", "-in", "c.pem", "-noout", "-hash").StdOut.Trim();
        Assert.Equal(expected, OpenSslHash.HashHex(OpenSslHash.SubjectHash(ca)));
    }

    [Theory]
    [InlineData("/CN=a+OU=B Unit/O=Multi  Valued")]
    [InlineData("/C=DE/O=Ärger Größe/CN=Ünïcode 漢字")]
    [InlineData("/CN=Plain/emailAddress=X@Y.example")]
    public void Subject_hash_matches_openssl_for_names_openssl_encoded(string subject)
    {
        // string_mask=default makes OpenSSL pick PrintableString, T61String and BMPString, not only UTF8String.
        ssl.Write("req.cnf", "[req]\ndistinguished_name = dn\nstring_mask = default\n[dn]\n");
        ssl.Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        ssl.Ok("req", "-new", "-x509", "-config", "req.cnf", "-utf8", "-multivalue-rdn", "-key", "k.pem",
            "-subj", subject, "-days", "1", "-out", "c.pem");

        var cert = PemCodec.ReadCertificates(ssl.Read("c.pem"))[0];
        var expected = ssl.Ok("x509", "-in", "c.pem", "-noout", "-hash").StdOut.Trim();
        Assert.Equal(expected, OpenSslHash.HashHex(OpenSslHash.SubjectHash(cert)));
    }

    [Fact]
    public void Hash_hex_is_eight_lowercase_digits()
    {
        Assert.Equal("00000abc", OpenSslHash.HashHex(0xabc));
        Assert.Equal("ffffffff", OpenSslHash.HashHex(uint.MaxValue));
    }
}
