using System.Diagnostics;
using System.Text;

namespace JdMail.Integration.Tests;

/// <summary>Round trips with clients that are not .NET: Python smtplib/poplib and curl, verifying our CA.</summary>
public sealed class ExternalClientTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Python_smtplib_and_poplib_round_trip_over_starttls_smtps_stls_and_pop3s()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "clients", "roundtrip.py");
        var (exit, output) = await RunAsync("python3", script, "--cafile", _server.CaFile,
            "--smtp", _server.Port("smtp").ToString(), "--smtps", _server.Port("smtps").ToString(),
            "--pop3", _server.Port("pop3").ToString(), "--pop3s", _server.Port("pop3s").ToString(),
            "--sender", "alice@example.test", "--sender-password", ServerFixture.AlicePassword,
            "--rcpt", "bob@example.test", "--rcpt-password", ServerFixture.BobPassword);
        Assert.True(exit == 0, output);
        Assert.Contains("OK 2 messages", output);
    }

    [Fact]
    public async Task Curl_sends_with_starttls_and_fetches_with_pop3s_verifying_the_ca()
    {
        var raw = MessageSamples.EightBitWithDots("alice@example.test", "bob@example.test", "curl");
        var file = Path.Combine(_server.MailRoot, "curl.eml");
        await File.WriteAllBytesAsync(file, raw);
        var (exit, output) = await RunAsync("curl", "-sS", "--ssl-reqd", "--cacert", _server.CaFile,
            "--url", $"smtp://localhost:{_server.Port("smtp")}", "--user", $"alice@example.test:{ServerFixture.AlicePassword}",
            "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test", "--upload-file", file);
        Assert.True(exit == 0, output);
        await _server.WaitForMailAsync("bob", 1);

        var outFile = Path.Combine(_server.MailRoot, "fetched.eml");
        (exit, output) = await RunAsync("curl", "-sS", "--cacert", _server.CaFile, "-o", outFile,
            "--url", $"pop3s://localhost:{_server.Port("pop3s")}/1", "--user", $"bob@example.test:{ServerFixture.BobPassword}");
        Assert.True(exit == 0, output);
        Assert.Equal(raw, MessageSamples.WithoutOurReceived(await File.ReadAllBytesAsync(outFile)));

        // The same CA file does not vouch for a name outside the certificate: curl must refuse.
        (exit, output) = await RunAsync("curl", "-sS", "--cacert", _server.CaFile, "--connect-to", $"wrong.example:{_server.Port("pop3s")}:127.0.0.1:{_server.Port("pop3s")}",
            "--url", $"pop3s://wrong.example:{_server.Port("pop3s")}/1", "--user", $"bob@example.test:{ServerFixture.BobPassword}");
        Assert.NotEqual(0, exit);
        Assert.Contains("certificate", output, StringComparison.OrdinalIgnoreCase);
    }
}
