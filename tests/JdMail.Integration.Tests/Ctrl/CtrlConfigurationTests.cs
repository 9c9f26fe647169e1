using JdMail.Actors.Ctrl;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary>CTRL behaviour that depends on configuration or MailRoot files; each test runs its own server.</summary>
public sealed class CtrlConfigurationTests
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_address_denied_by_ctrl_ipmap_tab_gets_130_and_a_close()
    {
        await using var server = await ServerFixture.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(server.MailRoot, CtrlAccessGuard.IpMapFileName),
            "\"0.0.0.0/0\"\t\"ALLOW\"\t\"1\"\n\"127.0.0.0/8\"\t\"DENY\"\t\"2\"\n");
        using (var raw = await RawSmtp.ConnectAsync(server.Port("ctrls")))
        {
            // As in XMail, CTRLS completes the TLS handshake before the address check.
            await raw.StartTlsAsync(server.CaCertificate);
            Assert.Equal("-00130 Server does not like Your IP", await raw.ReadLineAsync());
            Assert.True(await raw.ClosedWithinAsync(CloseWait));
        }
        using (var raw = await RawSmtp.ConnectAsync(server.Port("ctrl")))
        {
            Assert.Equal("-00130 Server does not like Your IP", await raw.ReadLineAsync());
            Assert.True(await raw.ClosedWithinAsync(CloseWait));
        }

        // Allowing the address again takes effect on the next connection, with no restart.
        var file = Path.Combine(server.MailRoot, CtrlAccessGuard.IpMapFileName);
        await File.WriteAllTextAsync(file, "\"127.0.0.0/8\"\t\"DENY\"\t\"2\"\n\"127.0.0.1\"\t\"ALLOW\"\t\"3\"\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        using var admin = await RawCtrl.LoginAsync(server);
        Assert.Equal("+00000 OK", await admin.SendAsync("noop"));
    }

    [Fact]
    public async Task Repeated_failed_logins_block_the_address_even_for_the_right_password()
    {
        await using var server = await ServerFixture.StartAsync("""
            jdmail.ctrl { max-failed-logins = 2, failed-login-delay = 200ms }
            """);
        for (var i = 0; i < 2; i++)
        {
            using var bad = await RawCtrl.ConnectCtrlsAsync(server);
            Assert.Equal("-00105 Bad controller login", await bad.SendAsync("admin", "guess-" + i));
        }
        using var blocked = await RawCtrl.ConnectCtrlsAsync(server);
        Assert.Equal("-01002 Too many failed logins from your address, retry later", await blocked.SendAsync("admin", RawCtrl.AdminPassword));
        Assert.True(await blocked.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task With_tls_disabled_the_tls_line_gets_249_and_a_close()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.ctrl.enable-tls = false");
        using var c = await RawCtrl.ConnectCtrlAsync(server);
        await c.SendLineAsync("#!TLS");
        Assert.Equal("-00249 TLS service disabled", await c.ReadLineAsync());
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task Plain_login_in_clear_works_only_when_configured()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.ctrl.allow-plain-login-without-tls = true");
        using var c = await RawCtrl.ConnectCtrlAsync(server);
        Assert.Equal("+00000 OK", await c.SendAsync("admin", RawCtrl.AdminPassword));
        Assert.Contains(await c.ListAsync("domainlist"), r => r[0] == ServerFixture.Domain);
    }
}
