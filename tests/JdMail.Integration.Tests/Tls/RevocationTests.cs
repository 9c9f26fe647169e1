using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Hosting;
using JdMail.Actors.Ca;
using Microsoft.Extensions.DependencyInjection;

namespace JdMail.Integration.Tests.Tls;

/// <summary>Revocation through the CA bites at once: live sessions on the certificate end, new handshakes fail.</summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task A_pop3_session_logged_in_by_certificate_is_closed_within_a_second_of_certrevoke()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.tls.client-certificates { want-verify = true, use-certs-file = true }");
        var ca = await server.Host.Services.GetRequiredService<ActorRegistry>().GetAsync<CertificateAuthorityActor>();
        var issued = await ca.Ask<object>(new IssueClientCertificate(new CertificateForm(CommonName: "Alice", Email: "alice@example.test")), TimeSpan.FromSeconds(60));
        var result = Assert.IsType<CertificateIssuedResult>(issued);
        var p12 = Assert.IsType<ArtefactResult>(await ca.Ask<object>(new GetArtefact(result.Item.Id, ArtefactKind.P12), TimeSpan.FromSeconds(10)));
        var withKey = X509CertificateLoader.LoadPkcs12(p12.Content, result.P12Password);
        var cert = new ClientCert(withKey, [], "", "", result.Item.Serial);

        using var pop = await RawSmtp.ConnectTlsAsync(server.Port("pop3s"), server.CaCertificate, cert);
        Assert.StartsWith("+OK", await pop.ReadLineAsync());
        await pop.SendAsync("AUTH EXTERNAL =");
        Assert.StartsWith("+OK", await pop.ReadLineAsync());
        await pop.SendAsync("STAT");
        Assert.StartsWith("+OK", await pop.ReadLineAsync());

        var clock = Stopwatch.StartNew();
        Assert.IsType<CertificateRevokedResult>(await ca.Ask<object>(new RevokeCertificate(result.Item.Id, "keyCompromise"), TimeSpan.FromSeconds(30)));
        var revokedAt = clock.Elapsed;
        Assert.StartsWith("-ERR [AUTH] Client certificate revoked", await pop.ReadLineAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await pop.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed - revokedAt < TimeSpan.FromSeconds(1), $"closed {(clock.Elapsed - revokedAt).TotalMilliseconds} ms after the revocation");

        // And the CRL the CA published keeps it out of new handshakes.
        Assert.False((await TlsProbe.ConnectAsync(server.Port("pop3s"), server.CaCertificate, cert)).Admitted);
    }
}
