using System.Net;
using System.Net.Sockets;
using JdMail.Actors.Outbound;

namespace JdMail.Actors.Tests.Outbound;

/// <summary>DnsMxResolver against a tiny DNS responder on a loopback UDP port (no real DNS is ever asked).</summary>
public sealed class MxResolverTests : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;

    public MxResolverTests() => _serve = Task.Run(ServeAsync);

    private DnsMxResolver Resolver() => new([$"127.0.0.1:{((IPEndPoint)_udp.Client.LocalEndPoint!).Port}"]);

    [Fact]
    public async Task MX_hosts_come_back_ordered_by_preference()
    {
        var r = await Resolver().ResolveAsync("two.test", default);
        Assert.Null(r.Error);
        Assert.Equal(["mx1.two.test", "mx2.two.test"], r.Hosts);
    }

    [Fact]
    public async Task A_domain_without_MX_but_with_an_address_is_its_own_mail_exchanger() =>
        Assert.Equal(["nomx.test"], (await Resolver().ResolveAsync("nomx.test", default)).Hosts);

    [Theory]
    [InlineData("gone.test", "does not exist")]
    [InlineData("nullmx.test", "null MX")]
    [InlineData("noaddr.test", "neither MX nor address")]
    public async Task No_such_domain_a_null_MX_or_no_address_at_all_is_permanent(string domain, string reason)
    {
        var r = await Resolver().ResolveAsync(domain, default);
        Assert.True(r.Permanent);
        Assert.Contains(reason, r.Error);
        Assert.Empty(r.Hosts);
    }

    [Fact]
    public async Task A_server_failure_is_temporary()
    {
        var r = await Resolver().ResolveAsync("broken.test", default);
        Assert.False(r.Permanent);
        Assert.NotNull(r.Error);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult q;
            try { q = await _udp.ReceiveAsync(_stop.Token); }
            catch (Exception) { return; }
            var reply = Answer(q.Buffer);
            if (reply is not null) await _udp.SendAsync(reply, q.RemoteEndPoint);
        }
    }

    /// <summary>RFC 1035 §4.1: copies the question, sets QR/RA, answers from a fixed zone.</summary>
    private static byte[]? Answer(byte[] query)
    {
        if (query.Length < 17) return null;
        var pos = 12;
        var labels = new List<string>();
        while (query[pos] != 0) { labels.Add(System.Text.Encoding.ASCII.GetString(query, pos + 1, query[pos])); pos += query[pos] + 1; }
        pos++;
        var type = (query[pos] << 8) | query[pos + 1];
        var questionEnd = pos + 4;
        var name = string.Join('.', labels).ToLowerInvariant();
        var rcode = 0;
        var answers = new List<byte[]>();
        switch (name, type)
        {
            case ("gone.test", _): rcode = 3; break;
            case ("broken.test", _): rcode = 2; break;
            case ("two.test", 15): answers.Add(Mx(20, "mx2.two.test")); answers.Add(Mx(10, "mx1.two.test")); break;
            case ("nullmx.test", 15): answers.Add(Mx(0, "")); break;
            case ("nomx.test", 1): answers.Add(Record(1, [127, 0, 0, 1])); break;
        }
        var r = new List<byte> { query[0], query[1], 0x81, (byte)(0x80 | rcode), 0, 1, 0, (byte)answers.Count, 0, 0, 0, 0 };
        r.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var a in answers) r.AddRange(a);
        return r.ToArray();
    }

    private static byte[] Mx(int preference, string exchange)
    {
        var data = new List<byte> { (byte)(preference >> 8), (byte)preference };
        foreach (var label in exchange.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            data.Add((byte)label.Length);
            data.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        data.Add(0);
        return Record(15, data.ToArray());
    }

    private static byte[] Record(int type, byte[] data) =>
        [0xC0, 0x0C, (byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0, 60, (byte)(data.Length >> 8), (byte)data.Length, .. data];

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp.Dispose();
        try { await _serve; } catch { /* stopped */ }
    }
}
