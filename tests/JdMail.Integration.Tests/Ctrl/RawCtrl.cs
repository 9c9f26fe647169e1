using System.Net.Security;
using System.Text;
using JdMail.Actors.Ctrl;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary>A bare CTRL client for tests that need exact bytes: raw lines, TLS verified against the server's CA.</summary>
public sealed class RawCtrl : IDisposable
{
    public const string AdminPassword = "admin-secret-0";
    private readonly RawSmtp _raw;

    private RawCtrl(RawSmtp raw) => _raw = raw;

    public string Greeting { get; private set; } = "";

    /// <summary>CTRLS: TLS first (verified), then the greeting.</summary>
    public static async Task<RawCtrl> ConnectCtrlsAsync(ServerFixture server)
    {
        var raw = await RawSmtp.ConnectAsync(server.Port("ctrls"));
        await raw.StartTlsAsync(server.CaCertificate);
        var c = new RawCtrl(raw);
        c.Greeting = await c.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("no greeting");
        return c;
    }

    /// <summary>CTRL in clear: the greeting only.</summary>
    public static async Task<RawCtrl> ConnectCtrlAsync(ServerFixture server)
    {
        var c = new RawCtrl(await RawSmtp.ConnectAsync(server.Port("ctrl")));
        c.Greeting = await c.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("no greeting");
        return c;
    }

    /// <summary>CTRLS and a successful admin login.</summary>
    public static async Task<RawCtrl> LoginAsync(ServerFixture server)
    {
        var c = await ConnectCtrlsAsync(server);
        Assert.Equal("+00000 OK", await c.SendAsync("admin", AdminPassword));
        return c;
    }

    public Task StartTlsAsync(ServerFixture server) => _raw.StartTlsAsync(server.CaCertificate);

    public Task SendLineAsync(string line) => _raw.SendAsync(line);

    public Task SendRawAsync(byte[] bytes) => _raw.SendRawAsync(bytes);

    public Task<string?> ReadLineAsync(TimeSpan? timeout = null) => _raw.ReadLineAsync(timeout);

    /// <summary>Sends a quoted command line and returns the result line (rows, if any, are left unread).</summary>
    public async Task<string> SendAsync(params string[] tokens)
    {
        await _raw.SendAsync(CtrlTokenizer.Row(tokens));
        return await ReadLineAsync() ?? throw new Xunit.Sdk.XunitException($"connection closed after {tokens[0]}");
    }

    /// <summary>Sends a command that must answer +00100 and returns its rows, decoded.</summary>
    public async Task<List<IReadOnlyList<string>>> ListAsync(params string[] tokens)
    {
        var result = await SendAsync(tokens);
        Assert.Equal("+00100 OK", result);
        var rows = new List<IReadOnlyList<string>>();
        while (await ReadLineAsync() is { } line && line != ".")
            rows.Add(CtrlTokenizer.Tokenize(CtrlTokenizer.Unstuff(line)).Tokens);
        return rows;
    }

    public Task<bool> ClosedWithinAsync(TimeSpan timeout) => _raw.ClosedWithinAsync(timeout);

    public void Dispose() => _raw.Dispose();
}

/// <summary>One server for a test class; the failed-login limit is high so bad-login tests do not block the others.</summary>
public sealed class CtrlServerFixture : IAsyncLifetime
{
    public ServerFixture Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerFixture.StartAsync("""
        jdmail.ctrl {
          idle-timeout = 3s
          max-failed-logins = 1000
          failed-login-delay = 1s
        }
        """);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
