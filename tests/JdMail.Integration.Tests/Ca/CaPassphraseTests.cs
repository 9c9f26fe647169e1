using Akka.Actor;
using Akka.Hosting;
using JdMail.Actors.Ca;
using Microsoft.Extensions.DependencyInjection;

namespace JdMail.Integration.Tests.Ca;

public sealed class CaPassphraseTests
{
    [Fact]
    public async Task With_a_configured_passphrase_the_first_start_ca_key_is_encrypted_and_still_signs()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.ca.key-passphrase = \"s3cret phrase\"");
        var keyFile = Path.Combine(server.MailRoot, "sslconf", "ca", "key.pem");
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", await File.ReadAllTextAsync(keyFile));
        var ca = await server.Host.Services.GetRequiredService<ActorRegistry>().GetAsync<CertificateAuthorityActor>();
        var reply = await ca.Ask<object>(new IssueServerCertificate(new CertificateForm("mx.example.test")), TimeSpan.FromSeconds(30));
        var issued = Assert.IsType<CertificateIssuedResult>(reply);
        Assert.Equal("ca", issued.Item.IssuerId);
        var status = await ca.Ask<CaStatusResult>(new GetCaStatus(), TimeSpan.FromSeconds(30));
        Assert.Empty(status.Problems);
    }
}
