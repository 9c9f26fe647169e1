using System.Text;
using JdMail.Host.Ctrl;

namespace JdMail.Integration.Tests.Ctrl;

/// <summary>
/// The JDMail certificate menus done with <c>jdmail ctrl</c> against a real server, each artefact checked with the
/// <c>openssl</c> command line: create a CA, download it as DER, issue and install a server certificate, issue a
/// client certificate and open its .p12, list, show, revoke, fetch the CRL, delete.
/// </summary>
public sealed class CtrlCertificateWorkflowTests : IAsyncLifetime
{
    private ServerFixture _server = null!;
    private string _work = "";

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync("jdmail.ctrl.max-failed-logins = 1000");
        _work = Directory.CreateDirectory(Path.Combine(_server.MailRoot, "ctrl-work")).FullName;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private CtrlCliOptions Options(string caFile, params string[] command) => new("127.0.0.1", _server.Port("ctrls"), false, "admin",
        RawCtrl.AdminPassword, caFile, false, null, null, TimeSpan.FromSeconds(60), command);

    private async Task<List<string[]>> Ctrl(string caFile, params string[] command)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CtrlVerb.RunAsync(Options(caFile, command), stdout, stderr, () => Stream.Null);
        Assert.True(exit == 0, $"jdmail ctrl {string.Join(' ', command)}: exit {exit}: {stderr}");
        return stdout.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
    }

    private async Task Download(string caFile, string outFile, params string[] command)
    {
        var stderr = new StringWriter();
        var exit = await CtrlVerb.RunAsync(Options(caFile, command) with { OutFile = outFile }, new StringWriter(), stderr, () => Stream.Null);
        Assert.True(exit == 0, $"jdmail ctrl {string.Join(' ', command)}: exit {exit}: {stderr}");
    }

    private static string Value(List<string[]> rows, string name) => rows.Single(r => r[0] == name)[1];

    private static Task<(int Exit, string Output)> OpenSsl(params string[] args) => ExternalClientTests.RunAsync("openssl", args);

    [Fact]
    public async Task The_whole_certificate_workflow_runs_with_jdmail_ctrl_and_openssl_accepts_every_artefact()
    {
        var firstCa = _server.CaFile;

        // Private CA [私人证书颁发机构]: a new CA replaces the first-start one.
        var ca = await Ctrl(firstCa, "cacreate", "cn", "Workflow Test CA", "o", "JdMail Tests", "c", "CN", "days", "3650",
            "note", "测试 CA", "replace", "1");
        var caId = Value(ca, "id");
        Assert.Equal("ca", Value(ca, "type"));
        Assert.Contains(await Ctrl(firstCa, "cainfo"), r => r[0] == "id" && r[1] == caId);

        // Download the CA as DER (for Windows/Outlook) and as PEM.
        var caDer = Path.Combine(_work, "ca.der");
        await Download(firstCa, caDer, "caget", "der");
        var (x509Exit, x509) = await OpenSsl("x509", "-inform", "DER", "-in", caDer, "-noout", "-subject");
        Assert.True(x509Exit == 0, x509);
        Assert.Contains("Workflow Test CA", x509);
        var caPem = Path.Combine(_work, "ca.pem");
        await Download(firstCa, caPem, "caget", "pem");

        // Server certificate signed by the new CA, installed now; the next handshake serves it.
        var server = await Ctrl(firstCa, "certserver", "cn", "localhost", "san", "localhost,127.0.0.1", "o", "JdMail Tests",
            "days", "90", "install", "1", "note", "workflow server");
        var serverId = Value(server, "id");
        Assert.Equal("1", Value(server, "installed"));
        Assert.Equal(caId, Value(server, "issuerid"));
        // Only the new CA verifies the server now: jdmail ctrl with the new CA's PEM works...
        Assert.Contains(await Ctrl(caPem, "certlist", "server"), r => r[0] == serverId);
        var (verifyExit, verify) = await OpenSsl("s_client", "-connect", $"127.0.0.1:{_server.Port("smtps")}", "-CAfile", caPem,
            "-verify_return_error", "-verify_hostname", "localhost", "-brief");
        Assert.True(verifyExit == 0 || verify.Contains("Verification: OK"), verify);

        // Client certificate [客户端证书] as .p12 with a generated password; openssl opens it with that password only.
        var client = await Ctrl(caPem, "certclient", "cn", "Alice", "email", "alice@example.test", "days", "365", "note", "爱丽丝");
        var clientId = Value(client, "id");
        var password = Value(client, "password");
        Assert.True(password.Length >= 12);
        var p12 = Path.Combine(_work, "alice.p12");
        await Download(caPem, p12, "certget", clientId, "p12");
        var (p12Exit, p12Text) = await OpenSsl("pkcs12", "-in", p12, "-passin", "pass:" + password, "-nodes");
        Assert.True(p12Exit == 0, p12Text);
        Assert.Contains("BEGIN CERTIFICATE", p12Text);
        Assert.Contains("PRIVATE KEY", p12Text);
        Assert.Contains("alice@example.test", (await OpenSsl("pkcs12", "-in", p12, "-passin", "pass:" + password, "-nokeys", "-clcerts")).Output.ToLowerInvariant()
            + p12Text.ToLowerInvariant());
        Assert.NotEqual(0, (await OpenSsl("pkcs12", "-in", p12, "-passin", "pass:wrong-password", "-nodes")).Exit);

        // Management [已制作证书的管理]: list, show.
        var list = await Ctrl(caPem, "certlist");
        Assert.All(list, r => Assert.Equal(8, r.Length));
        var clientRow = list.Single(r => r[0] == clientId);
        Assert.Equal(["client", "valid"], clientRow[1..3]);
        Assert.Equal("爱丽丝", clientRow[7]);
        Assert.Equal([clientId], (await Ctrl(caPem, "certlist", "client")).Select(r => r[0]));
        var show = await Ctrl(caPem, "certshow", clientId);
        var serial = Value(show, "serial");
        Assert.Contains(show, r => r[0] == "text");

        // Revoke, then the CRL (DER) lists the serial.
        var revoked = await Ctrl(caPem, "certrevoke", clientId, "keyCompromise");
        Assert.Equal("revoked", Value(revoked, "status"));
        var crlDer = Path.Combine(_work, "crl.der");
        await Download(caPem, crlDer, "crlget", "der");
        var (crlExit, crlText) = await OpenSsl("crl", "-inform", "DER", "-in", crlDer, "-noout", "-text");
        Assert.True(crlExit == 0, crlText);
        Assert.Contains(serial.TrimStart('0').ToUpperInvariant(), crlText.Replace(":", "").ToUpperInvariant());
        var (crlVerifyExit, crlVerify) = await OpenSsl("crl", "-inform", "DER", "-in", crlDer, "-CAfile", caPem, "-noout");
        Assert.True(crlVerifyExit == 0, crlVerify);
        Assert.Equal("revoked", (await Ctrl(caPem, "certlist", "client")).Single(r => r[0] == clientId)[2]);

        // Delete.
        Assert.Equal(clientId, Value(await Ctrl(caPem, "certdelete", clientId), "id"));
        Assert.DoesNotContain(await Ctrl(caPem, "certlist"), r => r[0] == clientId);

        // Earlier generation info [如果使用过去的生成信息] is listed and reusable with "from".
        Assert.Contains(await Ctrl(caPem, "certprofiles"), r => r[0] == serverId && r[7] == "localhost");
        var again = await Ctrl(caPem, "certserver", "from", serverId, "note", "from earlier");
        Assert.Equal("localhost,127.0.0.1", Value(again, "san"));

        // Diagnostics know the installed certificate and the CA.
        var diag = await Ctrl(caPem, "diag");
        Assert.All(diag, r => Assert.Equal(4, r.Length));
        Assert.Contains(diag, r => r[0] == "server-cert" && r[1] == "server.cert" && r[2] == "OK");
        Assert.Contains(diag, r => r[0] == "ca" && r[1] == "private-ca" && r[2] == "OK");
        // The live self-probe reached the CTRLS listener this command came in on.
        Assert.Contains(diag, r => r[0] == "probe" && r[1].Contains("ctrls") && r[2] == "OK");
    }

    [Fact]
    public async Task A_certificate_upload_dropped_before_the_final_dot_imports_nothing()
    {
        var request = await Ctrl(_server.CaFile, "certreq", "cn", "public.example.test", "san", "public.example.test", "o", "JdMail Tests");
        var id = Value(request, "id");
        Assert.Equal("requested", Value(request, "status"));

        using (var c = await RawCtrl.LoginAsync(_server))
        {
            Assert.Equal("+00101 OK", await c.SendAsync("certimport", id));
            await c.SendRawAsync(Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\r\nMIIBszCCAVmgAwIBAgIU\r\n"));
        }   // dropped here, before the "."

        using var admin = await RawCtrl.LoginAsync(_server);
        var rows = await admin.ListAsync("certlist");
        Assert.Equal("requested", rows.Single(r => r[0] == id)[2]);
        // A complete but wrong upload is refused with a certificate code, and the session goes on.
        Assert.Equal("+00101 OK", await admin.SendAsync("certimport", id));
        await admin.SendLineAsync("not a certificate");
        await admin.SendLineAsync(".");
        Assert.StartsWith("-011", await admin.ReadLineAsync());
        Assert.Equal("+00000 OK", await admin.SendAsync("noop"));
    }

    [Fact]
    public async Task Certificate_errors_have_their_own_codes()
    {
        using var c = await RawCtrl.LoginAsync(_server);
        Assert.StartsWith("-01100 ", await c.SendAsync("certshow", "no-such-id"));
        Assert.StartsWith("-01100 ", await c.SendAsync("certrevoke", "no-such-id"));
        Assert.StartsWith("-00103 ", await c.SendAsync("certserver", "days", "many"));
        Assert.StartsWith("-00103 ", await c.SendAsync("certserver", "bogus", "x"));
    }
}
