using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace JdMail.Integration.Tests;

/// <summary>Bad input gets a reply or a clean close, memory stays bounded, and other clients keep being served.</summary>
public sealed class AbuseTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task AssertServerStillServesMail(string subject)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = TrustedCa.Callback(_server.CaCertificate) };
        await client.ConnectAsync("localhost", _server.Port("smtps"), SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice@example.test", ServerFixture.AlicePassword);
        var response = await client.SendAsync(MimeMessage.Load(new MemoryStream(MessageSamples.EightBitWithDots("alice@example.test", "bob@example.test", subject))));
        Assert.Contains("queued as", response);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_100_KB_command_line_gets_line_too_long_and_a_close()
    {
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        await raw.SendRawAsync(Encoding.ASCII.GetBytes("EHLO " + new string('a', 100 * 1024) + "\r\n"));
        await raw.ExpectAsync("500 5.5.2 Line too long");
        Assert.True(await raw.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
        await AssertServerStillServesMail("after long line");
    }

    [Fact]
    public async Task Five_MB_without_a_line_end_gets_a_reply_and_a_close_without_buffering_it()
    {
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        var sent = 0L;
        try
        {
            for (; sent < 5 * 1024 * 1024; sent += chunk.Length) await raw.SendRawAsync(chunk);
        }
        catch (IOException) { /* the server may close while we are still sending: that is the point */ }
        await raw.ExpectAsync("500 5.5.2 Line too long");
        Assert.True(await raw.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        // The server keeps at most one line (4 KB) of this client's input; 5 MB must not show up on the heap.
        Assert.True(after - before < 2 * 1024 * 1024, $"heap grew by {after - before} bytes");
        await AssertServerStillServesMail("after 5 MB garbage");
    }

    [Theory]
    [InlineData("smtps")]
    [InlineData("pop3s")]
    public async Task Garbage_instead_of_a_tls_handshake_is_closed_cleanly(string endpoint)
    {
        if (!_server.Endpoints.ContainsKey(endpoint)) Assert.Fail($"{endpoint} is not listening");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _server.Port(endpoint));
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + new string('\u0001', 2000)));
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var total = 0;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) total += n;
        }
        catch (IOException) { /* a reset is a close too */ }
        Assert.False(cts.IsCancellationRequested, "the server did not close the connection");
        Assert.True(total < 64, $"the server sent {total} bytes to a non-TLS client (at most a TLS alert expected)");
        await AssertServerStillServesMail("after garbage on " + endpoint);
    }

    [Fact]
    public async Task A_client_that_never_speaks_is_dropped_after_the_idle_timeout_while_others_are_served()
    {
        using var silent = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await silent.ExpectAsync("220 ");
        using var silentTls = new TcpClient();
        await silentTls.ConnectAsync("127.0.0.1", _server.Port("smtps"));

        await AssertServerStillServesMail("while a client is silent");

        // Idle timeout is 3 s in the test configuration.
        var line = await silent.ReadLineAsync(TimeSpan.FromSeconds(15));
        Assert.StartsWith("421 4.4.2", line);
        Assert.True(await silent.ClosedWithinAsync(TimeSpan.FromSeconds(10)));

        // The implicit-TLS client that never starts a handshake is closed after the handshake timeout (3 s).
        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        int read;
        try { read = await silentTls.GetStream().ReadAsync(buffer, cts.Token); }
        catch (IOException) { read = 0; }
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Plaintext_pipelined_behind_starttls_is_never_executed()
    {
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        await raw.SendAsync("EHLO attacker.test");
        await raw.ExpectAsync("250 ");
        // Classic injection: the RSET/MAIL arrive in the same packet as STARTTLS.
        await raw.SendRawAsync(Encoding.ASCII.GetBytes("STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\n"));
        var reply = await raw.ReadLineAsync();
        Assert.StartsWith("421 4.7.0", reply);
        Assert.True(await raw.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task After_starttls_the_session_starts_over_and_mail_needs_a_new_ehlo()
    {
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        await raw.SendAsync("EHLO client.test");
        await raw.ExpectAsync("250 ");
        await raw.SendAsync("STARTTLS");
        await raw.ExpectAsync("220 2.0.0");
        await raw.StartTlsAsync(_server.CaCertificate);
        await raw.SendAsync("MAIL FROM:<alice@example.test>");
        await raw.ExpectAsync("503 5.5.1");
        await raw.SendAsync("EHLO client.test");
        var lines = new List<string>();
        string? l;
        while ((l = await raw.ReadLineAsync()) is not null) { lines.Add(l); if (l[3] == ' ') break; }
        Assert.DoesNotContain(lines, x => x.Contains("STARTTLS"));
        Assert.Contains(lines, x => x.Contains("AUTH PLAIN LOGIN"));
    }

    [Fact]
    public async Task Too_many_protocol_errors_close_the_session()
    {
        using var raw = await RawSmtp.ConnectAsync(_server.Port("smtp"));
        await raw.ExpectAsync("220 ");
        for (var i = 0; i < 9; i++)
        {
            await raw.SendAsync("BOGUS");
            await raw.ExpectAsync("500 5.5.2");
        }
        await raw.SendAsync("BOGUS");
        await raw.ExpectAsync("500 5.5.2");
        Assert.StartsWith("421 4.7.0", await raw.ReadLineAsync());
        Assert.True(await raw.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
    }
}
