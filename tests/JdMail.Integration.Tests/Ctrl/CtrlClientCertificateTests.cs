using JdMail.Host.Ctrl;
using JdMail.Integration.Tests.Tls;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary>With SSLWantCert on, the administrator's client presents a certificate (XMail CtrlClnt -C/-K).</summary>
public sealed class CtrlClientCertificateTests
{
    [Fact]
    public async Task Jdmail_ctrl_presents_cert_and_key_when_the_server_requires_one()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.tls.client-certificates { want-cert = true, use-certs-file = true }");
        var (certFile, keyFile) = TestIssuer.FromMailRoot(server.MailRoot).Client("admin@example.test").WriteTo(server.MailRoot);
        var options = new CtrlCliOptions("127.0.0.1", server.Port("ctrls"), false, "admin", "admin-secret-0", server.CaFile,
            false, null, null, TimeSpan.FromSeconds(20), ["domainlist"]);

        var without = new StringWriter();
        Assert.Equal(2, await CtrlVerb.RunAsync(options, new StringWriter(), without, () => Stream.Null));

        var output = new StringWriter();
        var exit = await CtrlVerb.RunAsync(options with { CertFile = certFile, KeyFile = keyFile }, output, new StringWriter(), () => Stream.Null);
        Assert.Equal(0, exit);
        Assert.Contains(ServerFixture.Domain, output.ToString());
    }
}
