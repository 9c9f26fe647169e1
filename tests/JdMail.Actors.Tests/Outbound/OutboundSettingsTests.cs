using Akka.Configuration;
using JdMail.Actors.Outbound;

namespace JdMail.Actors.Tests.Outbound;

public sealed class OutboundSettingsTests
{
    [Fact]
    public void Gateways_per_domain_and_the_default_entry_override_only_the_TLS_keys_they_name()
    {
        var c = ConfigurationFactory.ParseString("""
            first-retry = 2s
            retry-ratio = 4
            max-retries = 5
            tls { need-tls = 1, verify = "ca", trust = ["mailroot"], client-cert-file = "/c.pem", client-key-file = "/k.pem" }
            gateways = [
              { domain = "B.test", hosts = ["127.0.0.1:2526", "[::1]:2527", "mx.b.test"], need-tls = 2, verify = "ca-hostname", tls-name = "mx.b.test" }
              { domain = "*", hosts = ["smarthost.test:465"], implicit-tls = true, trust = ["system", "file"], trust-file = "/ca.pem" }
            ]
            """);
        var s = OutboundSettings.Create(c);
        Assert.Equal(new RetrySchedule(TimeSpan.FromSeconds(2), 4, 5), s.Retry);
        var b = s.RouteFor("b.test")!;
        Assert.Equal([new GatewayHost("127.0.0.1", 2526), new GatewayHost("::1", 2527), new GatewayHost("mx.b.test", 25)], b.Hosts);
        Assert.Equal(new OutboundTlsPolicy(NeedTls.Required, TlsVerify.CaAndHostname, true, false, null, "/c.pem", "/k.pem"), b.Tls);
        Assert.Equal("mx.b.test", b.TlsName);
        Assert.False(b.ImplicitTls);
        var other = s.RouteFor("elsewhere.test")!;
        Assert.Equal("*", other.Domain);
        Assert.True(other.ImplicitTls);
        Assert.Equal(new OutboundTlsPolicy(NeedTls.WhenOffered, TlsVerify.Ca, false, true, "/ca.pem", "/c.pem", "/k.pem"), other.Tls);
    }

    [Fact]
    public void Without_gateways_every_domain_goes_by_MX_and_the_defaults_are_XMails()
    {
        var s = OutboundSettings.Create(ConfigurationFactory.ParseString("enabled = true"));
        Assert.Null(s.RouteFor("example.org"));
        Assert.Equal(RetrySchedule.XMail, s.Retry);
        Assert.Equal(NeedTls.WhenOffered, s.Tls.NeedTls);
    }

    [Theory]
    [InlineData("tls.need-tls = 3")]
    [InlineData("tls.verify = \"maybe\"")]
    [InlineData("tls.trust = [\"everyone\"]")]
    [InlineData("tls.client-cert-file = \"/only-cert.pem\"")]
    [InlineData("gateways = [ { domain = \"x.test\", hosts = [] } ]")]
    [InlineData("gateways = [ { domain = \"x.test\", hosts = [\"h:99999\"] } ]")]
    public void Bad_settings_are_refused_at_start_up(string hocon) =>
        Assert.Throws<ConfigurationException>(() => OutboundSettings.Create(ConfigurationFactory.ParseString(hocon)));
}
