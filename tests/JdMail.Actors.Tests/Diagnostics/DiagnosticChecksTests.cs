using System.Net;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Net;
using JdMail.Actors.Settings;
using JdMail.Actors.Spool;
using JdMail.Pki;

namespace JdMail.Actors.Tests.Diagnostics;

/// <summary>The checks on a real MailRoot, broken one way at a time: exactly the right item turns WARN or FAIL with
/// the right fix, and everything is OK again after the repair (same engine, no restart).</summary>
public sealed class DiagnosticChecksTests
{
    [Fact]
    public void A_fresh_first_start_mailroot_is_all_ok()
    {
        using var m = new DiagnosticsMailRoot();
        Assert.Empty(m.NotOk());
        Assert.Contains("signed by our current private CA 'ca'", m.Item("server-cert", "issuer").Detail);
        Assert.Contains("covers jdmail.hostname 'localhost'", m.Item("server-cert", "host-name").Detail);
    }

    [Fact]
    public void A_deleted_server_key_fails_only_the_key_item_until_it_is_restored()
    {
        using var m = new DiagnosticsMailRoot();
        var saved = m.Save();
        File.Delete(m.Paths.ServerKey);
        Assert.Equal(["server-cert/server.key FAIL"], m.NotOk());
        Assert.Contains("is missing", m.Item("server-cert", "server.key").Detail);
        Assert.Contains("certinstall", m.Item("server-cert", "server.key").Detail);
        m.Restore(saved);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void A_key_from_another_pair_fails_only_the_pair_item_until_the_right_key_is_back()
    {
        using var m = new DiagnosticsMailRoot();
        var saved = m.Save();
        Durable.WriteAllText(m.Paths.ServerKey, KeyMaterial.PrivateKeyToPem(KeyMaterial.Generate(KeySpec.Ec256).Private), Durable.PrivateFile);
        Assert.Equal(["server-cert/pair FAIL"], m.NotOk());
        Assert.Contains("does not belong to server.cert", m.Item("server-cert", "pair").Detail);
        m.Restore(saved);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void A_certificate_from_another_ca_fails_only_the_issuer_item()
    {
        using var m = new DiagnosticsMailRoot();
        var saved = m.Save();
        var strangerKey = KeyMaterial.Generate(KeySpec.Ec256);
        var stranger = Certificates.CreateCa(new SubjectFields(CommonName: "Stranger CA"), strangerKey, 365, DateTime.UtcNow.AddDays(-1));
        m.InstallServer(stranger, strangerKey.Private, ["localhost"], DateTime.UtcNow.AddDays(-1), 200);
        Assert.Equal(["server-cert/issuer FAIL"], m.NotOk());
        var detail = m.Item("server-cert", "issuer").Detail;
        Assert.Contains("CN=Stranger CA", detail);
        Assert.Contains("clients refuse it", detail);
        Assert.Contains("certserver", detail);
        m.Restore(saved);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void An_expired_certificate_fails_only_the_validity_item()
    {
        using var m = new DiagnosticsMailRoot();
        var saved = m.Save();
        m.InstallServer(m.CaCert, m.CaKey, ["localhost"], DateTime.UtcNow.AddDays(-40), 10);
        Assert.Equal(["server-cert/validity FAIL"], m.NotOk());
        Assert.Contains("expired", m.Item("server-cert", "validity").Detail);
        Assert.Contains("Issue a new server certificate", m.Item("server-cert", "validity").Detail);
        m.Restore(saved);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void A_host_name_missing_from_the_certificate_fails_only_the_host_name_item()
    {
        using var m = new DiagnosticsMailRoot();
        var saved = m.Save();
        m.InstallServer(m.CaCert, m.CaKey, ["mail.other.test"], DateTime.UtcNow.AddDays(-1), 200);
        Assert.Equal(["server-cert/host-name FAIL"], m.NotOk());
        Assert.Contains("not jdmail.hostname 'localhost'", m.Item("server-cert", "host-name").Detail);
        m.Restore(saved);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void A_self_signed_certificate_warns_in_the_issuer_item()
    {
        using var m = new DiagnosticsMailRoot();
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        var self = Certificates.CreateSelfSignedServer(new SubjectFields(CommonName: "localhost"), ["localhost"], key, 200, DateTime.UtcNow.AddDays(-1));
        Durable.WriteAllText(m.Paths.ServerKey, KeyMaterial.PrivateKeyToPem(key.Private), Durable.PrivateFile);
        Durable.WriteAllText(m.Paths.ServerCert, PemCodec.ToPem(self));
        Assert.Equal(["server-cert/issuer WARN"], m.NotOk());
        Assert.Contains("self-signed", m.Item("server-cert", "issuer").Detail);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_key_readable_by_others_warns_until_it_is_mode_0600()
    {
        using var m = new DiagnosticsMailRoot();
        File.SetUnixFileMode(m.Paths.ServerKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal(["server-cert/key-mode WARN"], m.NotOk());
        Assert.Contains("chmod 600", m.Item("server-cert", "key-mode").Detail);
        File.SetUnixFileMode(m.Paths.ServerKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void A_stale_crl_fails_only_the_crl_item_until_a_fresh_one_is_signed()
    {
        using var m = new DiagnosticsMailRoot();
        m.WriteCrl(DateTime.UtcNow.AddDays(-10), DateTime.UtcNow.AddDays(-3), 2);
        Assert.Equal(["ca/crl FAIL"], m.NotOk());
        Assert.Contains("stale", m.Item("ca", "crl").Detail);
        m.WriteCrl(DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddDays(7), 3);
        Assert.Empty(m.NotOk());
        Assert.Contains("CRL 3", m.Item("ca", "crl").Detail);
    }

    [Fact]
    public void A_missing_certs_dir_fails_only_the_certs_dir_item_when_use_certs_dir_is_on()
    {
        using var m = new DiagnosticsMailRoot("jdmail.tls.client-certificates.use-certs-dir = true");
        Assert.Empty(m.NotOk());
        System.IO.Directory.Move(m.Paths.CertsDir, m.Paths.CertsDir + ".away");
        Assert.Equal(["trust/certs/ FAIL"], m.NotOk());
        Assert.Contains("openssl rehash", m.Item("trust", "certs/").Detail);
        System.IO.Directory.Move(m.Paths.CertsDir + ".away", m.Paths.CertsDir);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void A_misnamed_hash_file_in_certs_dir_fails_only_the_certs_dir_item()
    {
        using var m = new DiagnosticsMailRoot("jdmail.tls.client-certificates.use-certs-dir = true");
        var good = System.IO.Directory.GetFiles(m.Paths.CertsDir).Single();
        var bad = Path.Combine(m.Paths.CertsDir, "00000000.0");
        File.Move(good, bad);
        Assert.Equal(["trust/certs/ FAIL"], m.NotOk());
        var detail = m.Item("trust", "certs/").Detail;
        Assert.Contains("00000000.0", detail);
        Assert.Contains(Path.GetFileName(good), detail);
        File.Move(bad, good);
        Assert.Empty(m.NotOk());
    }

    [Fact]
    public void Certs_dir_problems_are_not_reported_while_use_certs_dir_is_off()
    {
        using var m = new DiagnosticsMailRoot();
        System.IO.Directory.Delete(m.Paths.CertsDir, recursive: true);
        Assert.Empty(m.NotOk());
        Assert.Contains("not used", m.Item("trust", "certs/").Detail);
    }

    [Fact]
    public void Want_verify_without_a_trust_file_fails_the_verification_item()
    {
        using var m = new DiagnosticsMailRoot("jdmail.tls.client-certificates.want-verify = true");
        Assert.Equal(["client-certs/verification FAIL"], m.NotOk());
        Assert.Contains("use-certs-file = true", m.Item("client-certs", "verification").Detail);
        using var ok = new DiagnosticsMailRoot("jdmail.tls.client-certificates { want-verify = true, use-certs-file = true }");
        Assert.Empty(ok.NotOk());
        Assert.Contains("1 trusted CA certificate(s)", ok.Item("client-certs", "verification").Detail);
    }

    [Fact]
    public void Want_verify_with_an_empty_certs_pem_fails_the_verification_and_certs_pem_items()
    {
        using var m = new DiagnosticsMailRoot("jdmail.tls.client-certificates { want-verify = true, use-certs-file = true }");
        File.Delete(m.Paths.CertsPem);
        Assert.Equal(["client-certs/verification FAIL", "trust/certs.pem FAIL"], m.NotOk());
    }

    [Theory]
    [InlineData(40, "OK", "")]
    [InlineData(29, "WARN", "within 30 days")]
    [InlineData(13, "WARN", "within 14 days")]
    [InlineData(6, "WARN", "within 7 days")]
    [InlineData(0.5, "FAIL", "within 1 day")]
    [InlineData(-1, "FAIL", "expired")]
    public void Expiry_crosses_the_30_14_7_and_1_day_thresholds(double daysLeft, string status, string text)
    {
        using var m = new DiagnosticsMailRoot();
        var leaf = PemCodec.ReadCertificates(File.ReadAllText(m.Paths.ServerCert))[0];
        var now = leaf.NotAfter.ToUniversalTime().AddDays(-daysLeft);
        var item = m.Check(now).Single(i => i.Area == "server-cert" && i.Item == "validity");
        Assert.Equal(status, item.StatusText);
        Assert.Contains(text, item.Detail);
    }

    [Fact]
    public void The_ca_item_warns_when_the_ca_expires_within_30_days()
    {
        using var m = new DiagnosticsMailRoot();
        var now = m.CaCert.NotAfter.ToUniversalTime().AddDays(-20);
        var item = m.Check(now).Single(i => i.Area == "ca" && i.Item == "private-ca");
        Assert.Equal(DiagnosticStatus.Warn, item.Status);
        Assert.Contains("within 30 days", item.Detail);
    }

    [Fact]
    public void Listeners_report_on_off_failed_and_unavailable_endpoints()
    {
        var configured = new List<EndpointSettings>
        {
            new("smtp", Protocol.Smtp, TlsMode.StartTls, IPAddress.Loopback, 2525),
            new("pop3", Protocol.Pop3, TlsMode.StartTls, IPAddress.Loopback, 1100),
            new("pop3s", Protocol.Pop3, TlsMode.Implicit, IPAddress.Loopback, 9950),
            new("ctrl", Protocol.Ctrl, TlsMode.StartTls, IPAddress.Loopback, 6017),
            new("ctrls", Protocol.Ctrl, TlsMode.Implicit, IPAddress.Loopback, 6018),
        };
        var state = new ListenerState(
            [new ListenerBound(configured[0], new IPEndPoint(IPAddress.Loopback, 2525)), new ListenerBound(configured[1], new IPEndPoint(IPAddress.Loopback, 1100))],
            [new ListenerFailed(configured[2], "Address already in use")], Complete: true, Running: true);
        var items = DiagnosticChecks.Listeners(configured, state, smtpStartTls: false, pop3Stls: true, ctrlTls: true).ToDictionary(i => i.Item);
        Assert.Equal(DiagnosticStatus.Ok, items["smtp"].Status);
        Assert.Equal(DiagnosticStatus.Warn, items["smtps"].Status);
        Assert.Contains("jdmail.listeners.smtps.enabled = true", items["smtps"].Detail);
        Assert.Contains("-X-", items["smtps"].Detail);
        Assert.Equal(DiagnosticStatus.Fail, items["pop3s"].Status);
        Assert.Contains("Address already in use", items["pop3s"].Detail);
        Assert.Equal(DiagnosticStatus.Warn, items["ctrl"].Status);
        Assert.Contains("not available in this build", items["ctrl"].Detail);
        Assert.Equal(DiagnosticStatus.Warn, items["starttls"].Status);
        Assert.Contains("jdmail.smtp.enable-starttls = true", items["starttls"].Detail);
        Assert.Equal(DiagnosticStatus.Ok, items["stls"].Status);
        Assert.Equal(DiagnosticStatus.Ok, items["ctrl-tls"].Status);
    }

    [Fact]
    public void Unchanged_files_are_not_checked_again_and_a_changed_file_is()
    {
        using var m = new DiagnosticsMailRoot();
        m.Check();
        var after = m.Engine.Recomputed;
        m.Check();
        Assert.Equal(after, m.Engine.Recomputed);
        m.WriteCrl(DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddDays(7), 9);
        m.Check();
        Assert.True(m.Engine.Recomputed > after);
        Assert.Contains("CRL 9", m.Item("ca", "crl").Detail);
    }

    [Fact]
    public void The_report_exit_code_is_the_worst_status()
    {
        DiagnosticsReport R(params DiagnosticStatus[] s) => new(s.Select((x, i) => new DiagnosticItem("a", $"i{i}", x, "d")).ToList(), [], DateTime.UtcNow);
        Assert.Equal(0, R(DiagnosticStatus.Ok, DiagnosticStatus.Ok).ExitCode);
        Assert.Equal(1, R(DiagnosticStatus.Ok, DiagnosticStatus.Warn).ExitCode);
        Assert.Equal(2, R(DiagnosticStatus.Warn, DiagnosticStatus.Fail, DiagnosticStatus.Ok).ExitCode);
    }
}
