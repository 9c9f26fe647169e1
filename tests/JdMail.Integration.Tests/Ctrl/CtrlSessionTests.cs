using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary>The CTRL protocol over real sockets and real TLS (CTRLS, and CTRL with #!TLS).</summary>
public sealed class CtrlSessionTests(CtrlServerFixture fixture) : IClassFixture<CtrlServerFixture>
{
    private readonly ServerFixture _server = fixture.Server;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_greeting_has_XMails_shape_with_a_timestamp_and_a_utc_date()
    {
        using var c = await RawCtrl.ConnectCtrlsAsync(_server);
        Assert.Matches(new Regex(@"^\+00000 <\d+\.\d+@127\.0\.0\.1> JdMail \d+\.\d+\.\d+ CTRL Server; [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$"), c.Greeting);
        var unix = long.Parse(Regex.Match(c.Greeting, @"<(\d+)\.").Groups[1].Value);
        Assert.InRange(unix, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }

    [Fact]
    public async Task Ctrls_login_noop_and_quit_then_the_server_closes()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        Assert.Equal("+00000 OK", await c.SendAsync("noop"));
        Assert.Equal("+00000 OK", await c.SendAsync("NOOP"));
        Assert.Equal("+00000 OK", await c.SendAsync("quit"));
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task Tls_upgrade_on_ctrl_reads_the_login_inside_tls_without_a_new_greeting()
    {
        using var c = await RawCtrl.ConnectCtrlAsync(_server);
        await c.SendLineAsync("#!TLS");
        Assert.Equal("+00000 Ready to start TLS mode", await c.ReadLineAsync());
        await c.StartTlsAsync(_server);
        // The first thing inside TLS is our login; the server sends nothing first.
        Assert.Equal("+00000 OK", await c.SendAsync("admin", RawCtrl.AdminPassword));
        Assert.Equal("+00000 OK", await c.SendAsync("noop"));
    }

    [Fact]
    public async Task Tls_line_on_ctrls_is_refused_with_242_and_the_session_ends()
    {
        using var c = await RawCtrl.ConnectCtrlsAsync(_server);
        await c.SendLineAsync("#!TLS");
        Assert.Equal("-00242 TLS link already active", await c.ReadLineAsync());
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task A_second_tls_line_after_the_upgrade_is_refused_with_242()
    {
        using var c = await RawCtrl.ConnectCtrlAsync(_server);
        await c.SendLineAsync("#!TLS");
        Assert.Equal("+00000 Ready to start TLS mode", await c.ReadLineAsync());
        await c.StartTlsAsync(_server);
        await c.SendLineAsync("#!TLS");
        Assert.Equal("-00242 TLS link already active", await c.ReadLineAsync());
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task Plaintext_pipelined_behind_the_tls_line_is_never_executed()
    {
        using (var c = await RawCtrl.ConnectCtrlAsync(_server))
        {
            // Injection attempt: login and a command in the same packet as #!TLS, all in clear.
            await c.SendRawAsync(Encoding.ASCII.GetBytes($"#!TLS\r\nadmin\t{RawCtrl.AdminPassword}\r\ndomainadd\tinjected.test\r\n"));
            Assert.Equal("-01001 Data pipelined after #!TLS refused", await c.ReadLineAsync());
            Assert.True(await c.ClosedWithinAsync(CloseWait));
        }
        using var admin = await RawCtrl.LoginAsync(_server);
        Assert.DoesNotContain(await admin.ListAsync("domainlist"), r => r[0] == "injected.test");
    }

    [Fact]
    public async Task Plain_password_login_in_clear_is_refused_with_245_and_the_session_ends()
    {
        using var c = await RawCtrl.ConnectCtrlAsync(_server);
        Assert.Equal("-00245 TLS required for this session", await c.SendAsync("admin", RawCtrl.AdminPassword));
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task Md5_challenge_login_is_refused_with_105()
    {
        using var c = await RawCtrl.ConnectCtrlsAsync(_server);
        var reply = await c.SendAsync("admin", "#" + Convert.ToHexString(System.Security.Cryptography.MD5.HashData("x"u8)));
        Assert.StartsWith("-00105 ", reply);
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task A_bad_password_is_answered_after_the_delay_without_holding_up_other_sessions()
    {
        using var bad = await RawCtrl.ConnectCtrlsAsync(_server);
        var clock = Stopwatch.StartNew();
        var badReply = bad.SendAsync("admin", "wrong-password");

        // A complete session runs while the failed login waits for its delay.
        using (var good = await RawCtrl.LoginAsync(_server))
        {
            Assert.Equal("+00000 OK", await good.SendAsync("noop"));
            Assert.Contains(await good.ListAsync("domainlist"), r => r[0] == ServerFixture.Domain);
        }
        Assert.False(badReply.IsCompleted, "the failed login was answered before the other session finished");

        Assert.Equal("-00105 Bad controller login", await badReply);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"answered after {clock.Elapsed}");
        Assert.True(await bad.ClosedWithinAsync(CloseWait));
    }

    [Theory]
    [InlineData("nobody", RawCtrl.AdminPassword)]
    [InlineData("ADMIN", "Admin-secret-0")]
    public async Task Unknown_users_and_wrong_passwords_get_the_same_reply(string user, string password)
    {
        using var c = await RawCtrl.ConnectCtrlsAsync(_server);
        Assert.Equal("-00105 Bad controller login", await c.SendAsync(user, password));
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task The_user_name_is_case_insensitive_as_in_XMail()
    {
        using var c = await RawCtrl.ConnectCtrlsAsync(_server);
        Assert.Equal("+00000 OK", await c.SendAsync("ADMIN", RawCtrl.AdminPassword));
    }

    [Fact]
    public async Task Domain_user_and_alias_commands_change_and_list_the_directory()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        const string d = "dir-cmds.test";
        Assert.Equal("+00000 OK", await c.SendAsync("domainadd", d));
        Assert.Equal("-00231 Already exist", await c.SendAsync("domainadd", d));
        Assert.Equal([d], (await c.ListAsync("domainlist", "dir-*")).Select(r => r[0]));

        Assert.Equal("+00000 OK", await c.SendAsync("useradd", d, "carol", "carol-pw-1", "U"));
        Assert.Equal("-00013 User already exist", await c.SendAsync("useradd", d, "carol", "x", "U"));
        Assert.Equal("-00059 Domain not handled", await c.SendAsync("useradd", "nowhere.test", "x", "pw", "U"));
        Assert.StartsWith("-00033 ", await c.SendAsync("useradd", d, "../evil", "pw", "U"));
        Assert.Equal("+00000 OK", await c.SendAsync("useradd", d, "list", "list-pw", "M"));
        Assert.Equal([[d, "carol", "U"], [d, "list", "M"]], await c.ListAsync("userlist", d));
        Assert.Equal([[d, "carol", "U"]], await c.ListAsync("userlist", "*", "car*"));

        Assert.Equal("+00000 OK", await c.SendAsync("userauth", d, "carol", "carol-pw-1"));
        Assert.Equal("-00024 Invalid password", await c.SendAsync("userauth", d, "carol", "nope"));
        Assert.Equal("-00012 User not found", await c.SendAsync("userauth", d, "nobody", "x"));
        Assert.Equal("+00000 OK", await c.SendAsync("userpasswd", d, "carol", "carol-pw-2"));
        Assert.Equal("-00024 Invalid password", await c.SendAsync("userauth", d, "carol", "carol-pw-1"));
        Assert.Equal("+00000 OK", await c.SendAsync("userauth", d, "carol", "carol-pw-2"));
        Assert.Equal("-00012 User not found", await c.SendAsync("userpasswd", d, "nobody", "x"));
        // The password set over CTRL is the one SMTP AUTH checks.
        using (var smtp = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(_server.CaCertificate) })
        {
            await smtp.ConnectAsync("localhost", _server.Port("smtps"), SecureSocketOptions.SslOnConnect);
            await smtp.AuthenticateAsync($"carol@{d}", "carol-pw-2");
            Assert.True(smtp.IsAuthenticated);
        }

        Assert.Equal("+00000 OK", await c.SendAsync("uservarsset", d, "carol", "RealName", "Carol \"CJ\" Jones", "Note", "管理员 备注"));
        Assert.Equal([["Note", "管理员 备注"], ["RealName", "Carol \"CJ\" Jones"]], await c.ListAsync("uservars", d, "carol"));
        Assert.Equal("+00000 OK", await c.SendAsync("uservarsset", d, "carol", "Note", ".|rm"));
        Assert.Equal([["RealName", "Carol \"CJ\" Jones"]], await c.ListAsync("uservars", d, "carol"));
        Assert.Equal("-00012 User not found", await c.SendAsync("uservars", d, "nobody"));
        Assert.Equal("-00012 User not found", await c.SendAsync("uservarsset", d, "nobody", "a", "b"));

        Assert.Equal("+00000 OK", await c.SendAsync("aliasadd", d, "postmaster", "carol"));
        Assert.Equal("-00026 Alias already exist", await c.SendAsync("aliasadd", d, "postmaster", "carol"));
        Assert.Equal("+00000 OK", await c.SendAsync("aliasadd", d, "info", "carol@" + d));
        Assert.Equal([[d, "info", "carol@" + d], [d, "postmaster", "carol"]], await c.ListAsync("aliaslist", d));
        Assert.Equal([[d, "postmaster", "carol"]], await c.ListAsync("aliaslist", d, "post*"));
        Assert.Equal([[d, "info", "carol@" + d]], await c.ListAsync("aliaslist", "*", "*", "*@*"));
        Assert.Equal("+00000 OK", await c.SendAsync("aliasdel", d, "postmaster"));
        Assert.Equal("-00028 Alias not found", await c.SendAsync("aliasdel", d, "postmaster"));

        Assert.Equal("+00000 OK", await c.SendAsync("userdel", d, "carol"));
        Assert.Equal("-00012 User not found", await c.SendAsync("userdel", d, "carol"));
        Assert.Equal("-00012 User not found", await c.SendAsync("userauth", d, "carol", "carol-pw-2"));

        Assert.Equal("+00000 OK", await c.SendAsync("domaindel", d));
        Assert.Equal("-00059 Domain not handled", await c.SendAsync("domaindel", d));
        Assert.DoesNotContain(await c.ListAsync("domainlist"), r => r[0] == d);
        Assert.Empty(await c.ListAsync("userlist", d));
        Assert.Empty(await c.ListAsync("aliaslist", d));
    }

    [Fact]
    public async Task Userlist_never_shows_passwords_or_their_hashes()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        var rows = await c.ListAsync("userlist");
        Assert.Contains(rows, r => r.SequenceEqual([ServerFixture.Domain, "alice", "U"]));
        Assert.All(rows, r => Assert.Equal(3, r.Count));
        Assert.All(rows.SelectMany(r => r), v =>
        {
            Assert.DoesNotContain("pbkdf2", v);
            Assert.DoesNotContain(ServerFixture.AlicePassword, v);
        });
    }

    [Theory]
    [InlineData("domainadd")]
    [InlineData("domainadd", "wrong-count-1.test", "extra")]
    [InlineData("useradd", ServerFixture.Domain, "wrongcount", "pw")]
    [InlineData("userdel", ServerFixture.Domain)]
    [InlineData("userpasswd", ServerFixture.Domain, "alice")]
    [InlineData("userauth", ServerFixture.Domain, "alice", ServerFixture.AlicePassword, "extra")]
    [InlineData("userlist", "*", "*", "*")]
    [InlineData("uservars", ServerFixture.Domain)]
    [InlineData("uservarsset", ServerFixture.Domain, "alice", "WrongCount")]
    [InlineData("uservarsset", ServerFixture.Domain, "alice", "WrongCount", "v", "odd")]
    [InlineData("aliasadd", ServerFixture.Domain, "wrongcount")]
    [InlineData("aliasdel", ServerFixture.Domain)]
    [InlineData("aliaslist", "*", "*", "*", "*")]
    [InlineData("noop", "extra")]
    [InlineData("quit", "extra")]
    [InlineData("frobnicate")]
    [InlineData("userstat", ServerFixture.Domain, "alice")]
    public async Task Wrong_argument_counts_and_unknown_commands_get_103_change_nothing_and_the_session_continues(params string[] tokens)
    {
        using var c = await RawCtrl.LoginAsync(_server);
        var before = await Snapshot(c);
        Assert.Equal("-00103 Bad CTRL command syntax", await c.SendAsync(tokens));
        Assert.Equal("+00000 OK", await c.SendAsync("noop"));
        Assert.Equal(before, await Snapshot(c));
    }

    private static async Task<string> Snapshot(RawCtrl c)
    {
        var parts = new List<IReadOnlyList<string>>();
        parts.AddRange(await c.ListAsync("domainlist"));
        parts.AddRange(await c.ListAsync("userlist"));
        parts.AddRange(await c.ListAsync("aliaslist"));
        parts.AddRange(await c.ListAsync("uservars", ServerFixture.Domain, "alice"));
        return string.Join("\n", parts.Select(r => string.Join("|", r)));
    }

    [Fact]
    public async Task An_over_long_line_gets_103_and_a_close_and_changes_nothing()
    {
        using (var c = await RawCtrl.LoginAsync(_server))
        {
            await c.SendLineAsync($"uservarsset\t{ServerFixture.Domain}\talice\tLongVar\t{new string('x', 4100)}");
            Assert.Equal("-00103 Command line too long", await c.ReadLineAsync());
            Assert.True(await c.ClosedWithinAsync(CloseWait));
        }
        using var admin = await RawCtrl.LoginAsync(_server);
        Assert.DoesNotContain(await admin.ListAsync("uservars", ServerFixture.Domain, "alice"), r => r[0] == "LongVar");
    }

    [Fact]
    public async Task A_line_of_exactly_4096_bytes_is_accepted()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        var prefix = $"uservarsset\t{ServerFixture.Domain}\tbob\tFill\t";
        await c.SendLineAsync(prefix + new string('y', 4096 - prefix.Length));
        Assert.Equal("+00000 OK", await c.ReadLineAsync());
        Assert.Equal(4096 - prefix.Length, (await c.ListAsync("uservars", ServerFixture.Domain, "bob")).Single(r => r[0] == "Fill")[1].Length);
    }

    [Fact]
    public async Task Invalid_utf8_gets_190_and_the_session_continues()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        await c.SendRawAsync([.. "domainadd\tbad"u8, 0xFF, 0xFE, .. ".test\r\n"u8]);
        Assert.Equal("-00190 Bad characters in command line", await c.ReadLineAsync());
        Assert.Equal("+00000 OK", await c.SendAsync("noop"));
    }

    [Fact]
    public async Task Too_many_bad_lines_close_the_session()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        for (var i = 0; i < 9; i++) Assert.StartsWith("-00103 ", await c.SendAsync("bogus"));
        Assert.StartsWith("-00103 ", await c.SendAsync("bogus"));
        Assert.Equal("-01003 Too many errors, closing connection", await c.ReadLineAsync());
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task A_silent_client_is_dropped_after_the_idle_timeout()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        // idle-timeout is 3 s in this fixture.
        Assert.Equal("-00005 Timeout error", await c.ReadLineAsync(TimeSpan.FromSeconds(15)));
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }

    [Fact]
    public async Task Commands_are_refused_before_login_as_bad_logins()
    {
        using var c = await RawCtrl.ConnectCtrlsAsync(_server);
        Assert.Equal("-00105 Bad controller login", await c.SendAsync("domainlist"));
        Assert.True(await c.ClosedWithinAsync(CloseWait));
    }
}
