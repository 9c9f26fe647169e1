using JdMail.Actors.Sasl;
using System.Net;
using JdMail.Actors.Ctrl;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Tests.Ctrl;

public sealed class CtrlIpMapTests
{
    private static IPAddress Ip(string s) => IPAddress.Parse(s);

    [Fact]
    public void Without_a_matching_line_every_address_is_allowed()
    {
        Assert.True(CtrlIpMap.AllowAll.Allows(Ip("203.0.113.9")));
        Assert.True(CtrlIpMap.Parse("\"10.0.0.0/8\"\t\"DENY\"\t\"1\"").Allows(Ip("192.0.2.1")));
    }

    [Fact]
    public void The_highest_precedence_wins()
    {
        var map = CtrlIpMap.Parse("""
            "0.0.0.0/0"	"DENY"	"1"
            "127.0.0.0/8"	"ALLOW"	"5"
            "127.0.0.7/32"	"DENY"	"3"
            """);
        Assert.False(map.Allows(Ip("198.51.100.1")));
        Assert.True(map.Allows(Ip("127.0.0.1")));
        Assert.True(map.Allows(Ip("127.0.0.7")));
    }

    [Fact]
    public void A_later_line_wins_a_tie()
    {
        Assert.False(CtrlIpMap.Parse("\"127.0.0.1\"\t\"ALLOW\"\t\"2\"\n\"127.0.0.1\"\t\"DENY\"\t\"2\"").Allows(Ip("127.0.0.1")));
        Assert.True(CtrlIpMap.Parse("\"127.0.0.1\"\t\"DENY\"\t\"2\"\n\"127.0.0.1\"\t\"ALLOW\"\t\"2\"").Allows(Ip("127.0.0.1")));
    }

    [Fact]
    public void Dotted_masks_prefixes_and_ipv6_are_understood()
    {
        var map = CtrlIpMap.Parse("""
            "10.1.0.0/255.255.0.0"	"DENY"	"1"
            "2001:db8::/32"	"DENY"	"1"
            "::1"	"DENY"	"1"
            """);
        Assert.False(map.Allows(Ip("10.1.200.3")));
        Assert.True(map.Allows(Ip("10.2.0.1")));
        Assert.False(map.Allows(Ip("2001:db8:5::1")));
        Assert.True(map.Allows(Ip("2001:db9::1")));
        Assert.False(map.Allows(Ip("::1")));
    }

    [Fact]
    public void An_ipv4_mapped_ipv6_client_is_matched_as_ipv4()
    {
        Assert.False(CtrlIpMap.Parse("\"192.0.2.0/24\"\t\"DENY\"\t\"1\"").Allows(Ip("::ffff:192.0.2.44")));
    }

    [Fact]
    public void Malformed_lines_are_reported_and_skipped()
    {
        var map = CtrlIpMap.Parse("# comment\n\n\"not-an-ip\"\t\"DENY\"\t\"1\"\n\"127.0.0.1\"\t\"MAYBE\"\t\"1\"\n\"127.0.0.1\"\t\"DENY\"\t\"x\"\n\"1.2.3.4/33\"\t\"DENY\"\t\"1\"\n");
        Assert.Equal(4, map.Problems.Count);
        Assert.True(map.Allows(Ip("127.0.0.1")));
    }
}

public sealed class LoginThrottleTests
{
    private DateTime _now = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1"), B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void An_address_is_blocked_after_the_limit_and_others_are_not()
    {
        var t = new LoginThrottle(3, TimeSpan.FromMinutes(10), () => _now);
        for (var i = 0; i < 2; i++) t.RecordFailure(A);
        Assert.False(t.IsBlocked(A));
        t.RecordFailure(A);
        Assert.True(t.IsBlocked(A));
        Assert.False(t.IsBlocked(B));
    }

    [Fact]
    public void The_block_lifts_when_the_oldest_failure_leaves_the_window()
    {
        var t = new LoginThrottle(2, TimeSpan.FromMinutes(10), () => _now);
        t.RecordFailure(A);
        _now = _now.AddMinutes(5);
        t.RecordFailure(A);
        Assert.True(t.IsBlocked(A));
        _now = _now.AddMinutes(5);
        Assert.False(t.IsBlocked(A));
    }

    [Fact]
    public void A_successful_login_clears_the_address()
    {
        var t = new LoginThrottle(2, TimeSpan.FromMinutes(10), () => _now);
        t.RecordFailure(A);
        t.RecordSuccess(A);
        t.RecordFailure(A);
        Assert.False(t.IsBlocked(A));
    }

    [Fact]
    public void Ipv4_mapped_and_plain_ipv4_count_as_one_address()
    {
        var t = new LoginThrottle(2, TimeSpan.FromMinutes(10), () => _now);
        t.RecordFailure(A);
        t.RecordFailure(A.MapToIPv6());
        Assert.True(t.IsBlocked(A));
    }
}

public sealed class CtrlAccessGuardTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("jdmail-ctrl-guard-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_ip_map_file_is_read_from_the_mailroot_and_reread_when_it_changes()
    {
        var guard = new CtrlAccessGuard(_root, CtrlSettings.Create(null));
        var local = IPAddress.Loopback;
        Assert.True(guard.IsAllowed(local));
        var file = Path.Combine(_root, CtrlAccessGuard.IpMapFileName);
        File.WriteAllText(file, "\"127.0.0.0/8\"\t\"DENY\"\t\"1\"\n");
        Assert.False(guard.IsAllowed(local));
        File.WriteAllText(file, "\"127.0.0.0/8\"\t\"DENY\"\t\"1\"\n\"127.0.0.1\"\t\"ALLOW\"\t\"2\"\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        Assert.True(guard.IsAllowed(local));
        File.Delete(file);
        Assert.True(guard.IsAllowed(IPAddress.Parse("127.0.0.2")));
    }
}
