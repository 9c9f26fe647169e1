using System.Diagnostics;
using System.Text.Json;
using JdMail.Actors.Ca;
using JdMail.Actors.Settings;
using JdMail.Actors.Spool;
using JdMail.Host;
using JdMail.Pki;

namespace JdMail.Integration.Tests.Diagnostics;

/// <summary><c>jdmail diag</c> run as a process (the built jdmail.dll) on a MailRoot, offline and against a running server.</summary>
public sealed class DiagCommandTests
{
    private sealed record Run(int ExitCode, string Out, string Err);

    private static async Task<Run> DiagAsync(string mailRoot, string configFile, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "jdmail.dll"), "diag", "--mailroot", mailRoot, "--config", configFile }.Concat(extra))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new Run(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A first-start MailRoot with a fresh CRL, made without running a server.</summary>
    private static (string Root, string Config) OfflineMailRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "jdmail-diagcmd-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var config = Path.Combine(root, "test.conf");
        File.WriteAllText(config, ServerFixture.Config());
        var settings = JdMailSettings.Create(HoconLoader.Load(config), root);
        FirstStartPki.Ensure(settings, DateTime.UtcNow.AddMinutes(-5));
        var ca = Tls.TestIssuer.FromMailRoot(root);
        Durable.WriteAllText(Path.Combine(root, "sslconf", "ca", "crl.pem"), PemCodec.ToPem(Crls.Create(ca.Certificate, ca.Key, [],
            Org.BouncyCastle.Math.BigInteger.One, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddDays(7))));
        return (root, config);
    }

    private static JsonElement Item(JsonDocument doc, string area, string item) =>
        doc.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("area").GetString() == area && i.GetProperty("item").GetString() == item);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Diag_exits_0_when_all_is_ok_1_on_a_warning_and_2_on_a_failure_and_says_why_in_json()
    {
        var (root, config) = OfflineMailRoot();
        try
        {
            var ok = await DiagAsync(root, config);
            Assert.True(ok.ExitCode == 0, ok.Out + ok.Err);
            Assert.Contains("STATUS", ok.Out);
            Assert.Contains("OK: ", ok.Out);
            Assert.Contains("no server running", ok.Out);

            var key = Path.Combine(root, "server.key");
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var warn = await DiagAsync(root, config, "--json");
            Assert.Equal(1, warn.ExitCode);
            using (var doc = JsonDocument.Parse(warn.Out))
            {
                Assert.Equal("WARN", doc.RootElement.GetProperty("status").GetString());
                Assert.Equal(1, doc.RootElement.GetProperty("exitCode").GetInt32());
                Assert.Equal("offline", doc.RootElement.GetProperty("server").GetString());
                Assert.Equal("WARN", Item(doc, "server-cert", "key-mode").GetProperty("status").GetString());
                Assert.Contains("chmod 600", Item(doc, "server-cert", "key-mode").GetProperty("detail").GetString());
                Assert.Single(doc.RootElement.GetProperty("items").EnumerateArray(), i => i.GetProperty("status").GetString() != "OK");
            }

            File.Delete(key);
            var fail = await DiagAsync(root, config, "--json");
            Assert.Equal(2, fail.ExitCode);
            using (var doc = JsonDocument.Parse(fail.Out))
            {
                Assert.Equal("FAIL", doc.RootElement.GetProperty("status").GetString());
                Assert.Equal("FAIL", Item(doc, "server-cert", "server.key").GetProperty("status").GetString());
                Assert.Contains("is missing", Item(doc, "server-cert", "server.key").GetProperty("detail").GetString());
            }
        }
        finally { try { Directory.Delete(root, true); } catch (IOException) { } }
    }

    [Fact]
    public async Task Diag_against_a_running_server_probes_its_tls_endpoints()
    {
        await using var server = await ServerFixture.StartAsync();
        await DiagnosticsServer.PublishCrlAsync(server);
        var run = await DiagAsync(server.MailRoot, Path.Combine(server.MailRoot, "test.conf"), "--json");
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("running", doc.RootElement.GetProperty("server").GetString());
        var probes = doc.RootElement.GetProperty("probes").EnumerateArray().ToDictionary(p => p.GetProperty("endpoint").GetString()!);
        foreach (var name in new[] { "smtp", "smtps", "pop3", "pop3s" })
        {
            Assert.Equal("OK", probes[name].GetProperty("status").GetString());
            Assert.StartsWith("TLSv1.", probes[name].GetProperty("protocol").GetString());
            Assert.True(probes[name].GetProperty("matchesDisk").GetBoolean());
            Assert.Contains($":{server.Port(name)}", probes[name].GetProperty("address").GetString());
        }
        var worst = doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString())
            .Select(s => s == "FAIL" ? 2 : s == "WARN" ? 1 : 0).Max();
        Assert.Equal(worst, run.ExitCode);
        Assert.Equal(worst, doc.RootElement.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Diag_with_the_ctrl_password_asks_the_running_server_over_ctrls()
    {
        await using var server = await ServerFixture.StartAsync();
        await DiagnosticsServer.PublishCrlAsync(server);
        var run = await DiagAsync(server.MailRoot, Path.Combine(server.MailRoot, "test.conf"), "--json", "--password", "admin-secret-0");
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("running", doc.RootElement.GetProperty("server").GetString());
        var items = doc.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => (Area: i.GetProperty("area").GetString(), Item: i.GetProperty("item").GetString(), Status: i.GetProperty("status").GetString())).ToList();
        // Only the server itself knows the CA actor's state; its self-probe reached CTRLS too.
        Assert.Contains(items, i => i.Area == "ca" && i.Item == "store");
        Assert.Contains(items, i => i.Area == "probe" && i.Item!.Contains("ctrls") && i.Status == "OK");

        var refused = await DiagAsync(server.MailRoot, Path.Combine(server.MailRoot, "test.conf"), "--password", "wrong-password");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("CTRL login refused", refused.Err);
    }
}
