using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using JdMail.Actors.Outbound;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Tests.Outbound;

public sealed class SmtpDeliveryTests : IDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("jdmail-smtpclient-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_dir, true);

    // Stored with a bare LF, a bare CR, a lone dot line and 8-bit text.
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("Subject: t\r\n\r\nGrüße\n.\nline\rend");

    private OutboundMessage Message(params string[] recipients)
    {
        var env = new SpoolEnvelope("m1", 0, "127.0.0.1", "h", null, null, "alice@a.test", recipients.Select(r => new SpoolRecipient(r, null, null)).ToList());
        var path = Path.Combine(_dir, "m1.msg");
        File.WriteAllBytes(path, [.. env.Serialize(), .. Body]);
        var (_, offset) = SpoolEnvelope.Read(path);
        return new OutboundMessage("m1", "alice@a.test", recipients.Select((r, i) => (i, r)).ToList(), path, offset);
    }

    private ClientOptions Options(string certsPem = "/nonexistent") => new("a.test", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(5), SslProtocols.Tls12 | SslProtocols.Tls13, certsPem);

    private static HostTarget Target(int port, NeedTls need, TlsVerify verify = TlsVerify.None, string? trustFile = null, bool implicitTls = false, string name = "127.0.0.1") =>
        new(new GatewayHost("127.0.0.1", port), implicitTls, name,
            new OutboundTlsPolicy(need, verify, false, false, trustFile, null, null));

    [Fact]
    public async Task NeedTLS_2_towards_a_server_without_STARTTLS_fails_permanently_before_any_mail_command()
    {
        await using var server = new FakeSmtpServer();
        var result = await SmtpDelivery.DeliverAsync(Target(server.Port, NeedTls.Required), Message("b@b.test"), Options(), default);
        var o = Assert.Single(result.Outcomes);
        Assert.Equal(OutcomeKind.Permanent, o.Kind);
        Assert.Equal("5.7.10", o.Status);
        Assert.False(result.TryNextHost);
        await server.DisposeAsync();
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL"));
    }

    [Fact]
    public async Task STARTTLS_is_used_when_offered_EHLO_is_sent_again_and_the_data_goes_out_normalised_and_dot_stuffed()
    {
        var (cert, pem) = FakeSmtpServer.SelfSigned("fake.test");
        var trust = Path.Combine(_dir, "trust.pem");
        File.WriteAllText(trust, pem);
        await using var server = new FakeSmtpServer { OfferStartTls = true, Certificate = cert };
        var result = await SmtpDelivery.DeliverAsync(Target(server.Port, NeedTls.WhenOffered, TlsVerify.CaAndHostname, trust, name: "fake.test"),
            Message("b@b.test"), Options(), default);
        Assert.Equal(OutcomeKind.Delivered, Assert.Single(result.Outcomes).Kind);
        Assert.StartsWith("TLSv1.", result.Tls);
        await server.DisposeAsync();
        Assert.True(server.Tls);
        Assert.Equal(["EHLO a.test", "STARTTLS", "EHLO a.test"], server.Commands.Take(3));
        Assert.Contains(server.Commands, c => c.StartsWith("MAIL FROM:<alice@a.test> SIZE=") && c.EndsWith(" BODY=8BITMIME"));
        Assert.Equal("Subject: t\r\n\r\nGrüße\r\n..\r\nline\r\nend\r\n.\r\n", Encoding.UTF8.GetString(server.Data!));
    }

    [Fact]
    public async Task Each_recipient_gets_its_own_outcome_from_its_RCPT_reply()
    {
        await using var server = new FakeSmtpServer
        {
            RcptReply = a => a switch { "gone@b.test" => "550 5.1.1 no such user", "busy@b.test" => "451 4.3.0 try later", _ => "250 ok" },
        };
        var result = await SmtpDelivery.DeliverAsync(Target(server.Port, NeedTls.Never), Message("ok@b.test", "gone@b.test", "busy@b.test"), Options(), default);
        var byAddress = result.Outcomes.ToDictionary(o => o.Address);
        Assert.Equal(OutcomeKind.Delivered, byAddress["ok@b.test"].Kind);
        Assert.Equal((OutcomeKind.Permanent, "5.1.1"), (byAddress["gone@b.test"].Kind, byAddress["gone@b.test"].Status));
        Assert.Equal((OutcomeKind.Temporary, "4.3.0"), (byAddress["busy@b.test"].Kind, byAddress["busy@b.test"].Status));
        await server.DisposeAsync();
        Assert.DoesNotContain("STARTTLS", server.Commands);
    }

    [Fact]
    public async Task A_message_bigger_than_the_announced_SIZE_fails_permanently_without_being_sent()
    {
        await using var server = new FakeSmtpServer { SizeLimit = 10 };
        var result = await SmtpDelivery.DeliverAsync(Target(server.Port, NeedTls.Never), Message("b@b.test"), Options(), default);
        var o = Assert.Single(result.Outcomes);
        Assert.Equal((OutcomeKind.Permanent, "5.3.4"), (o.Kind, o.Status));
        await server.DisposeAsync();
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL"));
    }

    [Fact]
    public async Task Implicit_TLS_with_a_certificate_for_another_name_is_a_temporary_failure_that_names_the_mismatch()
    {
        var (cert, pem) = FakeSmtpServer.SelfSigned("other.test");
        var trust = Path.Combine(_dir, "trust.pem");
        File.WriteAllText(trust, pem);
        await using var server = new FakeSmtpServer { ImplicitTls = true, Certificate = cert };
        var result = await SmtpDelivery.DeliverAsync(Target(server.Port, NeedTls.Required, TlsVerify.CaAndHostname, trust, implicitTls: true, name: "fake.test"),
            Message("b@b.test"), Options(), default);
        var o = Assert.Single(result.Outcomes);
        Assert.Equal(OutcomeKind.Temporary, o.Kind);
        Assert.Contains("certificate name mismatch: fake.test", o.Detail);
        Assert.True(result.TryNextHost);
    }

    [Fact]
    public async Task Implicit_TLS_with_an_untrusted_certificate_is_refused_under_ca_verification()
    {
        var (cert, _) = FakeSmtpServer.SelfSigned("fake.test");
        await using var server = new FakeSmtpServer { ImplicitTls = true, Certificate = cert };
        var result = await SmtpDelivery.DeliverAsync(Target(server.Port, NeedTls.Required, TlsVerify.Ca, implicitTls: true, name: "fake.test"),
            Message("b@b.test"), Options(), default);
        Assert.Contains("is not trusted", Assert.Single(result.Outcomes).Detail);
    }

    [Fact]
    public async Task The_configured_client_certificate_is_presented_when_the_server_asks_for_one()
    {
        var (cert, _) = FakeSmtpServer.SelfSigned("fake.test");
        var (clientCert, clientKey) = FakeSmtpServer.SelfSignedFiles("client.a.test", _dir);
        await using var server = new FakeSmtpServer { OfferStartTls = true, Certificate = cert, AskClientCertificate = true };
        var target = new HostTarget(new GatewayHost("127.0.0.1", server.Port), false, "fake.test",
            new OutboundTlsPolicy(NeedTls.Required, TlsVerify.None, false, false, null, clientCert, clientKey));
        var result = await SmtpDelivery.DeliverAsync(target, Message("b@b.test"), Options(), default);
        Assert.Equal(OutcomeKind.Delivered, Assert.Single(result.Outcomes).Kind);
        await server.DisposeAsync();
        Assert.Equal("CN=client.a.test", server.ClientCertificateSubject);
    }

    [Fact]
    public async Task A_closed_port_is_a_temporary_failure_and_the_next_host_is_tried()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var result = await SmtpDelivery.DeliverAsync(Target(port, NeedTls.WhenOffered), Message("b@b.test"), Options(), default);
        Assert.Equal(OutcomeKind.Temporary, Assert.Single(result.Outcomes).Kind);
        Assert.True(result.TryNextHost);
    }
}
