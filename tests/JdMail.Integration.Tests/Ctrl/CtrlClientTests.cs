using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using JdMail.Host.Ctrl;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary><c>jdmail ctrl</c> against a real server: in-process through its entry point, and as a separate process.</summary>
public sealed class CtrlClientTests(CtrlServerFixture fixture) : IClassFixture<CtrlServerFixture>
{
    private readonly ServerFixture _server = fixture.Server;

    private CtrlCliOptions Options(params string[] command) => new("127.0.0.1", _server.Port("ctrls"), false, "admin",
        RawCtrl.AdminPassword, _server.CaFile, false, null, null, TimeSpan.FromSeconds(20), command);

    private static async Task<(int Exit, string Out, string Err)> Run(CtrlCliOptions o)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CtrlVerb.RunAsync(o, stdout, stderr, () => Stream.Null);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task A_list_command_prints_tab_separated_rows_and_exits_0()
    {
        var (exit, output, _) = await Run(Options("userlist", ServerFixture.Domain));
        Assert.Equal(0, exit);
        Assert.Contains($"{ServerFixture.Domain}\talice\tU\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Json_output_carries_the_code_and_the_rows()
    {
        Assert.Equal(0, (await Run(Options("uservarsset", ServerFixture.Domain, "bob", "Note", "证书 \"note\""))).Exit);
        var (exit, output, _) = await Run(Options("uservars", ServerFixture.Domain, "bob") with { Json = true });
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(100, json.RootElement.GetProperty("code").GetInt32());
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetString()).ToArray()).ToList();
        Assert.Contains(rows, r => r.SequenceEqual(["Note", "证书 \"note\""]));
    }

    [Fact]
    public async Task An_error_reply_exits_1_and_is_reported_on_stderr()
    {
        var (exit, _, err) = await Run(Options("domainadd", ServerFixture.Domain));
        Assert.Equal(1, exit);
        Assert.Contains("-00231", err);
        var (badLogin, _, loginErr) = await Run(Options("noop") with { Password = "wrong" });
        Assert.Equal(1, badLogin);
        Assert.Contains("-00105", loginErr);
    }

    [Fact]
    public async Task Starttls_mode_uses_the_ctrl_port_and_the_tls_line()
    {
        var (exit, output, err) = await Run(Options("domainlist") with { Port = _server.Port("ctrl"), StartTls = true });
        Assert.True(exit == 0, err);
        Assert.Contains(ServerFixture.Domain, output);
    }

    [Fact]
    public async Task Out_writes_the_rows_to_a_file_instead_of_stdout()
    {
        var file = Path.Combine(_server.MailRoot, "userlist-out.txt");
        var (exit, output, _) = await Run(Options("userlist") with { OutFile = file });
        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.Contains($"{ServerFixture.Domain}\tbob\tU\n", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_server_whose_certificate_does_not_chain_to_the_ca_file_is_refused_with_exit_2()
    {
        var otherCa = Path.Combine(_server.MailRoot, "other-ca.pem");
        await File.WriteAllTextAsync(otherCa, OtherCaPem());
        var (exit, _, err) = await Run(Options("domainadd", "never-sent.test") with { CaFile = otherCa });
        Assert.Equal(2, exit);
        Assert.Contains("TLS", err);
        var (starttlsExit, _, _) = await Run(Options("noop") with { CaFile = otherCa, Port = _server.Port("ctrl"), StartTls = true });
        Assert.Equal(2, starttlsExit);
        // Nothing was sent: the domain does not exist.
        var (_, domains, _) = await Run(Options("domainlist"));
        Assert.DoesNotContain("never-sent.test", domains);
    }

    [Fact]
    public async Task A_server_certificate_without_the_host_name_is_refused_with_exit_2()
    {
        // This server's certificate names only mail.example.test and 127.0.0.1, not "localhost".
        await using var server = await ServerFixture.StartAsync("""
            jdmail.hostname = "mail.example.test"
            jdmail.bootstrap.server-names = ["127.0.0.1"]
            """);
        var options = new CtrlCliOptions("localhost", server.Port("ctrls"), false, "admin", RawCtrl.AdminPassword, server.CaFile,
            false, null, null, TimeSpan.FromSeconds(20), ["noop"]);
        var (exit, _, err) = await Run(options);
        Assert.Equal(2, exit);
        Assert.Contains("TLS", err);
        Assert.Equal(0, (await Run(options with { Host = "127.0.0.1" })).Exit);
    }

    [Fact]
    public async Task A_missing_ca_file_exits_2_and_a_missing_password_exits_1()
    {
        Assert.Equal(2, (await Run(Options("noop") with { CaFile = Path.Combine(_server.MailRoot, "absent.pem") })).Exit);
        Assert.Equal(1, (await Run(Options("noop") with { Password = null })).Exit);
    }

    [Fact]
    public async Task Jdmail_ctrl_as_a_process_takes_the_password_from_the_environment()
    {
        var (exit, output, err) = await RunProcess(
            ["ctrl", "--port", _server.Port("ctrls").ToString(), "--cafile", _server.CaFile, "domainlist"],
            RawCtrl.AdminPassword);
        Assert.True(exit == 0, err);
        Assert.Contains(ServerFixture.Domain, output);
    }

    [Fact]
    public async Task Jdmail_ctrl_as_a_process_refuses_an_unverified_server_with_exit_2()
    {
        var otherCa = Path.Combine(_server.MailRoot, "other-ca-process.pem");
        await File.WriteAllTextAsync(otherCa, OtherCaPem());
        var (exit, _, err) = await RunProcess(
            ["ctrl", "--port", _server.Port("ctrls").ToString(), "--cafile", otherCa, "--password", RawCtrl.AdminPassword, "noop"], null);
        Assert.Equal(2, exit);
        Assert.Contains("certificate", err);
    }

    private static async Task<(int Exit, string Out, string Err)> RunProcess(string[] args, string? passwordEnv)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "jdmail.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove(CtrlVerb.PasswordEnvironment);
        if (passwordEnv is not null) psi.Environment[CtrlVerb.PasswordEnvironment] = passwordEnv;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A CA that signed nothing on this server.</summary>
    private static string OtherCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Some Other CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return cert.ExportCertificatePem();
    }
}
