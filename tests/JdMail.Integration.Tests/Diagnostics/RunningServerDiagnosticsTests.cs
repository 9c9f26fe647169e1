using JdMail.Actors.Diagnostics;
using JdMail.Actors.Spool;
using JdMail.Pki;
using static JdMail.Integration.Tests.Diagnostics.DiagnosticsServer;

namespace JdMail.Integration.Tests.Diagnostics;

/// <summary>
/// A running server's DiagnosticsActor, asked through the ActorRegistry, while its MailRoot is broken one way at a
/// time: exactly the expected item turns WARN or FAIL with its fix, and after the repair the report is what it was
/// before, without a restart. The baseline may hold WARN items of this build (ctrl endpoints not available yet).
/// </summary>
public sealed class RunningServerDiagnosticsTests
{
    private static async Task<(ServerFixture Server, string[] Baseline)> StartAsync(string extra = "")
    {
        var server = await ServerFixture.StartAsync(extra);
        await PublishCrlAsync(server);
        var baseline = await NotOkAsync(server);
        Assert.DoesNotContain(baseline, b => b.StartsWith("server-cert/", StringComparison.Ordinal) || b.StartsWith("ca/", StringComparison.Ordinal) || b.StartsWith("trust/", StringComparison.Ordinal));
        return (server, baseline);
    }

    private static string[] With(string[] baseline, params string[] extra) => baseline.Concat(extra).Order().ToArray();

    [Fact]
    public async Task A_deleted_server_key_fails_the_key_item_says_the_last_good_certificate_is_served_and_clears_when_restored()
    {
        var (server, baseline) = await StartAsync();
        await using var _ = server;
        var saved = Save(server);
        File.Delete(Path.Combine(server.MailRoot, "server.key"));
        var report = await ReportAsync(server);
        Assert.Equal(With(baseline, "server-cert/server.key FAIL"), NotOk(report));
        var detail = report.Find("server-cert", "server.key")!.Detail;
        Assert.Contains("is missing", detail);
        Assert.Contains("last good certificate", detail);
        Restore(server, saved);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task A_key_from_another_pair_fails_the_pair_item_until_the_right_key_is_back()
    {
        var (server, baseline) = await StartAsync();
        await using var _ = server;
        var saved = Save(server);
        Durable.WriteAllText(Path.Combine(server.MailRoot, "server.key"), KeyMaterial.PrivateKeyToPem(KeyMaterial.Generate(KeySpec.Ec256).Private), Durable.PrivateFile);
        var report = await ReportAsync(server);
        Assert.Equal(With(baseline, "server-cert/pair FAIL"), NotOk(report));
        Assert.Contains("does not belong to server.cert", report.Find("server-cert", "pair")!.Detail);
        Restore(server, saved);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task A_certificate_from_another_ca_fails_the_issuer_item_until_ours_is_back()
    {
        var (server, baseline) = await StartAsync();
        await using var _ = server;
        var saved = Save(server);
        var stranger = Tls.TestIssuer.NewCa("Stranger CA");
        InstallServer(server, stranger.Certificate, stranger.Key, ["localhost", "127.0.0.1"], DateTime.UtcNow.AddDays(-1), 200);
        var report = await ReportAsync(server);
        Assert.Equal(With(baseline, "server-cert/issuer FAIL"), NotOk(report));
        Assert.Contains("CN=Stranger CA", report.Find("server-cert", "issuer")!.Detail);
        Restore(server, saved);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task An_expired_certificate_fails_the_validity_item_until_a_valid_one_is_installed()
    {
        var (server, baseline) = await StartAsync();
        await using var _ = server;
        var saved = Save(server);
        var ca = Issuer(server);
        InstallServer(server, ca.Certificate, ca.Key, ["localhost", "127.0.0.1"], DateTime.UtcNow.AddDays(-40), 10);
        var report = await ReportAsync(server);
        Assert.Equal(With(baseline, "server-cert/validity FAIL"), NotOk(report));
        Assert.Contains("expired", report.Find("server-cert", "validity")!.Detail);
        Restore(server, saved);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task A_host_name_missing_from_the_certificate_fails_the_host_name_item_until_repaired()
    {
        var (server, baseline) = await StartAsync();
        await using var _ = server;
        var saved = Save(server);
        var ca = Issuer(server);
        InstallServer(server, ca.Certificate, ca.Key, ["mail.other.test"], DateTime.UtcNow.AddMinutes(-1), 200);
        var report = await ReportAsync(server);
        Assert.Equal(With(baseline, "server-cert/host-name FAIL"), NotOk(report));
        Assert.Contains("not jdmail.hostname 'localhost'", report.Find("server-cert", "host-name")!.Detail);
        Restore(server, saved);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task A_stale_crl_fails_the_crl_item_until_the_ca_signs_a_new_one()
    {
        var (server, baseline) = await StartAsync();
        await using var _ = server;
        var ca = Issuer(server);
        var stale = Crls.Create(ca.Certificate, ca.Key, [], Org.BouncyCastle.Math.BigInteger.ValueOf(1000),
            DateTime.UtcNow.AddDays(-10), DateTime.UtcNow.AddDays(-3));
        Durable.WriteAllText(Path.Combine(server.MailRoot, "sslconf", "ca", "crl.pem"), PemCodec.ToPem(stale));
        var report = await ReportAsync(server);
        Assert.Equal(With(baseline, "ca/crl FAIL"), NotOk(report));
        Assert.Contains("stale", report.Find("ca", "crl")!.Detail);
        await PublishCrlAsync(server);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task A_missing_or_misnamed_certs_dir_fails_the_certs_dir_item_while_use_certs_dir_is_on()
    {
        var (server, baseline) = await StartAsync("jdmail.tls.client-certificates.use-certs-dir = true");
        await using var _ = server;
        var dir = Path.Combine(server.MailRoot, "certs");
        Directory.Move(dir, dir + ".away");
        var missing = await ReportAsync(server);
        Assert.Equal(With(baseline, "trust/certs/ FAIL"), NotOk(missing));
        Assert.Contains("is missing", missing.Find("trust", "certs/")!.Detail);
        Directory.Move(dir + ".away", dir);
        Assert.Equal(baseline, await NotOkAsync(server));

        var good = Directory.GetFiles(dir).First(f => !Path.GetFileName(f).Contains(".r", StringComparison.Ordinal));
        File.Move(good, Path.Combine(dir, "00000000.0"));
        var misnamed = await ReportAsync(server);
        Assert.Equal(With(baseline, "trust/certs/ FAIL"), NotOk(misnamed));
        Assert.Contains("openssl rehash", misnamed.Find("trust", "certs/")!.Detail);
        File.Move(Path.Combine(dir, "00000000.0"), good);
        Assert.Equal(baseline, await NotOkAsync(server));
    }

    [Fact]
    public async Task A_disabled_listener_warns_with_its_switch_and_the_others_are_listening()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.listeners.smtps.enabled = false");
        var report = await ReportAsync(server);
        var smtps = report.Find("listeners", "smtps")!;
        Assert.Equal(DiagnosticStatus.Warn, smtps.Status);
        Assert.Contains("jdmail.listeners.smtps.enabled = true", smtps.Detail);
        foreach (var name in new[] { "smtp", "pop3", "pop3s" })
        {
            var item = report.Find("listeners", name)!;
            Assert.Equal(DiagnosticStatus.Ok, item.Status);
            Assert.Contains($":{server.Port(name)}", item.Detail);
        }
    }
}
