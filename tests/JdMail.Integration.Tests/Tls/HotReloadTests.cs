using System.Security.Cryptography;
using JdMail.Actors.Spool;
using JdMail.Pki;

namespace JdMail.Integration.Tests.Tls;

public sealed class HotReloadTests
{
    [Fact]
    public async Task A_new_server_certificate_is_served_on_the_next_handshake_while_open_sessions_keep_working()
    {
        await using var server = await ServerFixture.StartAsync();
        var port = server.Port("smtps");
        var first = await TlsProbe.ConnectAsync(port, server.CaCertificate);
        Assert.True(first.Admitted);

        using var open = await RawSmtp.ConnectTlsAsync(port, server.CaCertificate);
        await open.ExpectAsync("220 ");

        // Install a new certificate for the same names, signed by the same CA, the way an install does it: key, then cert.
        var ca = TestIssuer.FromMailRoot(server.MailRoot);
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        var leaf = Certificates.IssueServer(ca.Certificate, ca.Key, new SubjectFields(CommonName: "localhost"), ["localhost", "127.0.0.1"], key.Public, 30, DateTime.UtcNow.AddMinutes(-5));
        Durable.WriteAllText(Path.Combine(server.MailRoot, "server.key"), KeyMaterial.PrivateKeyToPem(key.Private), Durable.PrivateFile);
        Durable.WriteAllText(Path.Combine(server.MailRoot, "server.cert"), PemCodec.ToPem([leaf, ca.Certificate]));

        var second = await TlsProbe.ConnectAsync(port, server.CaCertificate);
        Assert.True(second.Admitted);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(leaf.GetEncoded())), Convert.ToHexString(SHA256.HashData(second.ServerCertificate!.RawData)));
        Assert.NotEqual(first.ServerCertificate!.Thumbprint, second.ServerCertificate.Thumbprint);

        // The session opened before the change still works.
        await open.SendAsync("EHLO still-here.test");
        await open.ExpectAsync("250 ");
    }

    [Fact]
    public async Task A_broken_certificate_on_disk_never_replaces_the_working_one()
    {
        await using var server = await ServerFixture.StartAsync();
        var port = server.Port("smtps");
        var before = await TlsProbe.ConnectAsync(port, server.CaCertificate);
        // A key that does not belong to the certificate.
        Durable.WriteAllText(Path.Combine(server.MailRoot, "server.key"), KeyMaterial.PrivateKeyToPem(KeyMaterial.Generate(KeySpec.Ec256).Private), Durable.PrivateFile);
        var after = await TlsProbe.ConnectAsync(port, server.CaCertificate);
        Assert.True(after.Admitted);
        Assert.Equal(before.ServerCertificate!.Thumbprint, after.ServerCertificate!.Thumbprint);
    }
}
