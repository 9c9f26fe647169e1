using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using JdMail.Actors.Ca;
using Xunit.Abstractions;

namespace JdMail.Actors.Tests.Ca;

/// <summary>Journal, restart, revocation, CRL and trust-file behaviour of the CA actor.</summary>
public sealed class CaLifecycleSpecs(ITestOutputHelper output) : CaTestBase(output)
{
    private async Task<string> StateText(IActorRef ca)
    {
        var s = await AskOk<CaState>(ca, new GetCaState());
        var snap = CaSnapshot.From(s);
        return string.Join("\n", snap.Items.Select(i => i.ToString()))
            + $"\n{snap.CurrentCaId}|{string.Join(",", snap.TrustedCaIds)}|{string.Join(",", snap.Serials)}|"
            + $"{string.Join(",", snap.Revocations.Select(r => r.ToString()))}|{string.Join(",", snap.Crls.Select(c => c.ToString()))}|"
            + $"{snap.LastCrlNumber}|{snap.InstalledId}|{snap.Sequence}";
    }

    [Fact]
    public async Task State_is_identical_after_a_restart_from_journal_and_snapshots()
    {
        var settings = CaSettings.Default with { SnapshotEvery = 3 };
        var ca = StartCa(settings);
        await CreateCaAndFirstCrlAsync(ca);
        var a = await IssueServerAsync(ca, "a.example.test");
        await IssueServerAsync(ca, "b.example.test", "10.0.0.1");
        await AskOk<CertificateIssuedResult>(ca, new IssueClientCertificate(new CertificateForm(Email: "c@example.test")));
        await AskOk<CertificateRevokedResult>(ca, new RevokeCertificate(a.Item.Id, "keyCompromise"));
        await AskOk<CertificateRequestedResult>(ca, new RequestCertificate(new CertificateForm("pub.example.test")));
        var s3 = await IssueServerAsync(ca, "d.example.test");
        await AskOk<CertificateInstalledResult>(ca, new InstallCertificate(s3.Item.Id));
        await AskOk<CertificateDeletedResult>(ca, new DeleteCertificate(a.Item.Id));
        var before = await StateText(ca);
        await StopAsync(ca);

        var again = StartCa(settings);
        Assert.Equal(before, await StateText(again));
        var list = await AskOk<CertificateListResult>(again, new ListCertificates());
        Assert.Equal(s3.Item.Id, list.InstalledId);
        Assert.Empty((await AskOk<CaStatusResult>(again, new GetCaStatus())).Problems);
    }

    [Fact]
    public async Task Revoked_stays_revoked_across_restarts_and_the_crl_openssl_verifies_lists_it()
    {
        var ca = StartCa();
        var created = await CreateCaAsync(ca);
        var notices = CreateTestProbe();
        Sys.EventStream.Subscribe(notices, typeof(CertificateRevokedNotice));
        var issued = await IssueServerAsync(ca, "victim.example.test");
        var keep = await IssueServerAsync(ca, "keep.example.test");
        var revoked = await AskOk<CertificateRevokedResult>(ca, new RevokeCertificate(issued.Item.Id, "superseded"));
        Assert.Equal(CaStatuses.Revoked, revoked.Item.Status);
        Assert.Equal(issued.Item.Serial, (await notices.ExpectMsgAsync<CertificateRevokedNotice>()).Serial);

        var crl = FileOf(created.Item.Id, "crl.pem");
        var verify = OpenSsl.Ok("crl", "-in", crl, "-CAfile", Paths.CertsPem, "-noout");
        Assert.Contains("verify OK", verify.All);
        var text = OpenSsl.Ok("crl", "-in", crl, "-noout", "-text").Out;
        Assert.Contains(issued.Item.Serial.ToUpperInvariant().PadLeft(32, '0'), text.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Superseded", text);
        Assert.DoesNotContain(keep.Item.Serial.ToUpperInvariant(), text.ToUpperInvariant());
        // OpenSSL's own revocation check through the hashed folder (CRL as .r0).
        var check = OpenSsl.Run("verify", "-crl_check", "-CApath", Paths.CertsDir, FileOf(issued.Item.Id, "cert.pem"));
        Assert.Contains("certificate revoked", check.All);
        OpenSsl.Ok("verify", "-crl_check", "-CApath", Paths.CertsDir, FileOf(keep.Item.Id, "cert.pem"));

        await StopAsync(ca);
        var again = StartCa();
        var item = (await AskOk<CertificateListResult>(again, new ListCertificates())).Items.Single(i => i.Id == issued.Item.Id);
        Assert.Equal(CaStatuses.Revoked, item.Status);
        Assert.Equal(CaCodes.Refused, (await AskRejected(again, new RevokeCertificate(issued.Item.Id))).Code);
        Assert.Equal(CaCodes.Refused, (await AskRejected(again, new InstallCertificate(issued.Item.Id))).Code);
    }

    [Fact]
    public async Task Crl_number_only_grows_across_restarts()
    {
        var ca = StartCa();
        var created = await CreateCaAsync(ca);
        var numbers = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            var issued = await IssueServerAsync(ca, $"r{round}.example.test");
            numbers.Add((await AskOk<CertificateRevokedResult>(ca, new RevokeCertificate(issued.Item.Id))).CrlNumber);
            numbers.Add((await AskOk<CrlPublishedResult>(ca, new PublishCrl())).Number);
            await StopAsync(ca);
            ca = StartCa();
        }
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        var status = await AskOk<CaStatusResult>(ca, new GetCaStatus());
        Assert.True(status.LastCrlNumber >= numbers[^1]);
        var onDisk = OpenSsl.Ok("crl", "-in", FileOf(created.Item.Id, "crl.pem"), "-noout", "-crlnumber").Out;
        Assert.Equal(status.LastCrlNumber, Convert.ToInt64(onDisk.Trim().Split('=')[1], 16));
    }

    [Fact]
    public async Task Crl_is_reissued_before_it_lapses()
    {
        var ca = StartCa(CaSettings.Default with { CrlValidity = TimeSpan.FromSeconds(3), CrlReissueBefore = TimeSpan.FromSeconds(2) });
        var notices = CreateTestProbe();
        Sys.EventStream.Subscribe(notices, typeof(CrlPublishedNotice));
        var created = await CreateCaAsync(ca);
        var first = await notices.ExpectMsgAsync<CrlPublishedNotice>(TimeSpan.FromSeconds(10));
        var second = await notices.ExpectMsgAsync<CrlPublishedNotice>(TimeSpan.FromSeconds(10));
        Assert.Equal(created.Item.Id, second.CaId);
        Assert.True(second.Number > first.Number);
        Assert.True(second.NextUpdateUtc > first.NextUpdateUtc);
    }

    [Fact]
    public async Task Serials_are_unique_over_1000_issuances_and_across_a_ca_replacement()
    {
        var ca = StartCa();
        var serials = new List<string> { (await CreateCaAsync(ca)).Item.Serial };
        for (var i = 0; i < 500; i++) serials.Add((await IssueServerAsync(ca, $"h{i}.example.test")).Item.Serial);
        serials.Add((await CreateCaAsync(ca, "Second Root CA", replace: true)).Item.Serial);
        for (var i = 500; i < 1000; i++) serials.Add((await IssueServerAsync(ca, $"h{i}.example.test")).Item.Serial);
        Assert.Equal(1002, serials.Count);
        Assert.Equal(serials.Count, serials.Distinct().Count());
        Assert.All(serials, s => Assert.True(s.Length >= 16, $"serial {s} has fewer than 64 bits"));
        var state = await AskOk<CaState>(ca, new GetCaState());
        Assert.Equal(serials.ToHashSet(), state.Serials.ToHashSet());
    }

    [Fact]
    public async Task Replacing_the_ca_needs_the_flag_and_the_old_ca_stays_trusted_until_deleted()
    {
        var ca = StartCa();
        var old = await CreateCaAsync(ca, "Same Name CA");
        var oldLeaf = await IssueServerAsync(ca, "old.example.test");
        Assert.Equal(CaCodes.Exists, (await AskRejected(ca, new CreateCa(new CertificateForm("Same Name CA")))).Code);
        var fresh = await CreateCaAsync(ca, "Same Name CA", replace: true);
        var newLeaf = await IssueServerAsync(ca, "new.example.test");
        Assert.Equal(fresh.Item.Id, newLeaf.Item.IssuerId);
        // Both CAs trusted, under the same subject hash: .0 and .1, exactly as openssl rehash names them.
        await AskOk<CrlPublishedResult>(ca, new PublishCrl(old.Item.Id));
        await AskOk<CrlPublishedResult>(ca, new PublishCrl(fresh.Item.Id));
        OpenSsl.Ok("verify", "-CAfile", Paths.CertsPem, FileOf(oldLeaf.Item.Id, "chain.pem"));
        OpenSsl.Ok("verify", "-CAfile", Paths.CertsPem, FileOf(newLeaf.Item.Id, "chain.pem"));
        var names = HashNames(Paths.CertsDir);
        Assert.Equal(RehashNames(old.Item.Id, fresh.Item.Id), names);
        Assert.Contains(names, n => n.EndsWith(".1", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".r1", StringComparison.Ordinal));

        Assert.Equal(CaCodes.Refused, (await AskRejected(ca, new DeleteCertificate(fresh.Item.Id))).Code);
        await AskOk<CertificateDeletedResult>(ca, new DeleteCertificate(old.Item.Id));
        Assert.False(System.IO.Directory.Exists(Path.Combine(Root, "sslconf", old.Item.Id)));
        Assert.NotEqual(0, OpenSsl.Run("verify", "-CAfile", Paths.CertsPem, FileOf(oldLeaf.Item.Id, "chain.pem")).ExitCode);
        Assert.Equal(RehashNames(fresh.Item.Id), HashNames(Paths.CertsDir));
    }

    private static string[] HashNames(string dir) =>
        System.IO.Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>What <c>openssl rehash</c> names for the CAs' certificates and CRLs copied into a fresh folder.</summary>
    private string[] RehashNames(params string[] caIds)
    {
        var dir = Path.Combine(Root, "rehash-" + Guid.NewGuid().ToString("N")[..6]);
        System.IO.Directory.CreateDirectory(dir);
        foreach (var id in caIds)
        {
            File.Copy(FileOf(id, "cert.pem"), Path.Combine(dir, id + ".pem"));
            if (File.Exists(FileOf(id, "crl.pem"))) File.Copy(FileOf(id, "crl.pem"), Path.Combine(dir, id + ".crl"));
        }
        OpenSsl.Ok("rehash", dir);
        return System.IO.Directory.GetFiles(dir).Select(Path.GetFileName)
            .Where(n => n!.Length > 9 && n[8] == '.' && !n.EndsWith(".pem", StringComparison.Ordinal) && !n.EndsWith(".crl", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray()!;
    }

    [Fact]
    public async Task Journal_write_failure_rejects_the_caller_and_leaves_no_half_done_item()
    {
        var journal = TestJournal.FromRef(Persistence.Instance.Apply(Sys).JournalFor(null));
        var ca = StartCa();
        await CreateCaAndFirstCrlAsync(ca);
        var folders = System.IO.Directory.GetDirectories(Path.Combine(Root, "sslconf")).Order().ToArray();

        await journal.OnWrite.Fail();
        var failed = await AskRejected(ca, new IssueServerCertificate(new CertificateForm("lost.example.test")));
        Assert.Equal(CaCodes.Journal, failed.Code);
        Assert.Equal(folders, System.IO.Directory.GetDirectories(Path.Combine(Root, "sslconf")).Order().ToArray());

        await journal.OnWrite.Reject();
        var ca2 = StartCa();   // the failed actor stopped (Akka's rule); a new one recovers from the journal
        var rejected = await AskRejected(ca2, new IssueClientCertificate(new CertificateForm(Email: "x@example.test")));
        Assert.Equal(CaCodes.Journal, rejected.Code);
        Assert.Equal(folders, System.IO.Directory.GetDirectories(Path.Combine(Root, "sslconf")).Order().ToArray());

        await journal.OnWrite.Pass();
        var ok = await IssueServerAsync(ca2, "kept.example.test");
        Assert.True(System.IO.Directory.Exists(Path.Combine(Root, "sslconf", ok.Item.Id)));
        Assert.Equal(2, (await AskOk<CertificateListResult>(ca2, new ListCertificates())).Items.Count);
    }

    [Fact]
    public async Task Journal_failure_during_install_restores_the_previous_server_files()
    {
        var journal = TestJournal.FromRef(Persistence.Instance.Apply(Sys).JournalFor(null));
        var ca = StartCa();
        await CreateCaAndFirstCrlAsync(ca);
        var first = await AskOk<CertificateIssuedResult>(ca, new IssueServerCertificate(new CertificateForm("one.example.test"), InstallNow: true));
        var second = await IssueServerAsync(ca, "two.example.test");
        var certBefore = await File.ReadAllTextAsync(Paths.ServerCert);
        await journal.OnWrite.Reject();
        Assert.Equal(CaCodes.Journal, (await AskRejected(ca, new InstallCertificate(second.Item.Id))).Code);
        Assert.Equal(certBefore, await File.ReadAllTextAsync(Paths.ServerCert));
        await journal.OnWrite.Pass();
        Assert.Equal(first.Item.Id, (await AskOk<CertificateListResult>(ca, new ListCertificates())).InstalledId);
    }

    [Fact]
    public async Task A_missing_file_is_reported_after_recovery_instead_of_crashing()
    {
        var ca = StartCa();
        await CreateCaAsync(ca);
        var issued = await IssueServerAsync(ca, "gone.example.test");
        await StopAsync(ca);
        File.Delete(FileOf(issued.Item.Id, "key.pem"));

        var again = StartCa();
        var status = await AskOk<CaStatusResult>(again, new GetCaStatus());
        Assert.Contains(status.Problems, p => p.Contains(issued.Item.Id) && p.Contains("key.pem"));
        Assert.Equal(2, (await AskOk<CertificateListResult>(again, new ListCertificates())).Items.Count);
        Assert.Equal(CaCodes.Storage, (await AskRejected(again, new GetArtefact(issued.Item.Id, ArtefactKind.Key))).Code);
        Assert.Equal(CaCodes.Storage, (await AskRejected(again, new InstallCertificate(issued.Item.Id))).Code);
        await IssueServerAsync(again, "still.example.test");
    }

    [Fact]
    public async Task Commands_without_a_ca_or_with_bad_input_are_rejected_without_changes()
    {
        var ca = StartCa();
        Assert.Equal(CaCodes.NoCa, (await AskRejected(ca, new IssueServerCertificate(new CertificateForm("x.example.test")))).Code);
        Assert.Equal(CaCodes.NoCa, (await AskRejected(ca, new IssueClientCertificate(new CertificateForm(Email: "a@b.test")))).Code);
        await CreateCaAsync(ca);
        Assert.Equal(CaCodes.Invalid, (await AskRejected(ca, new IssueServerCertificate(new CertificateForm("bad name!")))).Code);
        Assert.Equal(CaCodes.Invalid, (await AskRejected(ca, new IssueServerCertificate(new CertificateForm("x.example.test", KeyType: "dsa1024")))).Code);
        Assert.Equal(CaCodes.NotFound, (await AskRejected(ca, new RevokeCertificate("server-99"))).Code);
        Assert.Single((await AskOk<CertificateListResult>(ca, new ListCertificates())).Items);
        Assert.Single(System.IO.Directory.GetDirectories(Path.Combine(Root, "sslconf")));
    }
}

/// <summary>Ordering: one mutating operation at a time, the rest wait their turn.</summary>
public sealed class CaOrderingSpecs(Xunit.Abstractions.ITestOutputHelper output) : CaTestBase(output)
{
    [Fact]
    public async Task Commands_sent_together_are_carried_out_one_at_a_time_in_arrival_order()
    {
        var ca = StartCa();
        await CreateCaAsync(ca);
        var probe = CreateTestProbe();
        for (var i = 0; i < 10; i++)
            ca.Tell(new IssueServerCertificate(new CertificateForm($"n{i}.example.test", KeyType: i % 3 == 0 ? "rsa2048" : "ec256")), probe);
        ca.Tell(new RevokeCertificate("server-2"), probe);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++) ids.Add((await probe.ExpectMsgAsync<CertificateIssuedResult>(Slow)).Item.Id);
        Assert.Equal(Enumerable.Range(2, 10).Select(n => $"server-{n}"), ids);
        var revoked = await probe.ExpectMsgAsync<CertificateRevokedResult>(Slow);
        Assert.Equal(("server-2", CaStatuses.Revoked), (revoked.Item.Id, revoked.Item.Status));
        var show = await AskOk<CertificateDetailsResult>(ca, new ShowCertificate("server-2"));
        Assert.Contains("status: revoked", show.Text);
        Assert.Contains("n0.example.test", show.Text);
    }
}
