using JdMail.Actors.Outbound;
using MimeKit;

namespace JdMail.Integration.Tests.Outbound;

/// <summary>Two JdMail instances on loopback: A relays alice's mail for b.test to B, its configured gateway.</summary>
public sealed class RelayTlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task With_NeedTLS_2_and_Bs_CA_trusted_the_message_arrives_over_verified_TLS_with_its_exact_bytes()
    {
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig());
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("smtp")}", 2, "ca-hostname", b.CaFile));
        var raw = RelayPair.Message("relay over TLS");
        await RelayPair.SendFromAliceAsync(a, raw);

        var files = await RelayPair.WaitForFilesAsync(RelayPair.CarolMaildir(b), 1, Wait);
        var stored = await File.ReadAllBytesAsync(files[0]);
        // B's Received: line records the TLS version A negotiated (RFC 3848 ESMTPS).
        Assert.Matches(@"^Received: from localhost \(\[127\.0\.0\.1\]\)\r\n\tby localhost \(JdMail\) with ESMTPS \(TLSv1\.[23]:", RelayPair.Text(stored));
        Assert.Equal(raw, RelayPair.WithoutTwoReceived(stored));
        await RelayPair.PollAsync(a.MailRoot, () => RelayPair.AskOutboundAsync<OutboundQueueResult>(a, new GetOutboundQueue()),
            q => q.Messages.Count == 0, Wait, "A's queue to empty");
        Assert.Empty(Directory.GetFiles(Path.Combine(a.MailRoot, "spool", "outbound")));
        Assert.Empty((await RelayPair.AskOutboundAsync<FrozenListResult>(a, new ListFrozen())).Messages);
    }

    [Fact]
    public async Task A_gateway_marked_implicit_tls_is_reached_over_SMTPS_from_the_first_byte()
    {
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig());
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("smtps")}", 2, "ca-hostname", b.CaFile,
            extraGateway: ", implicit-tls = true"));
        await RelayPair.SendFromAliceAsync(a, RelayPair.Message("over smtps"));
        var files = await RelayPair.WaitForFilesAsync(RelayPair.CarolMaildir(b), 1, Wait);
        Assert.Contains("with ESMTPS (TLSv1.", RelayPair.Text(await File.ReadAllBytesAsync(files[0])));
    }

    [Fact]
    public async Task With_NeedTLS_2_and_no_STARTTLS_at_the_peer_the_failure_is_permanent_and_alice_gets_a_DSN()
    {
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig());
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("extra0")}", 2, "ca-hostname", b.CaFile, maxRetries: 30));
        await RelayPair.SendFromAliceAsync(a, RelayPair.Message("must not go in clear"));

        var bounce = await a.WaitForMailAsync("alice", 1, Wait);
        var dsn = MimeMessage.Load(bounce[0]);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        var recipient = Assert.Single(status.StatusGroups.Skip(1));
        Assert.Equal("rfc822; carol@b.test", recipient["Final-Recipient"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.7.10", recipient["Status"]);
        Assert.Contains("does not offer STARTTLS", recipient["Diagnostic-Code"]);
        Assert.Contains("Subject: must not go in clear", RelayPair.Text(File.ReadAllBytes(bounce[0])));
        // Permanent on the first try: not retried, nothing in clear at B.
        Assert.False(Directory.Exists(RelayPair.CarolMaildir(b)) && Directory.GetFiles(RelayPair.CarolMaildir(b)).Length > 0);

        // The failed message is frozen, with its log; it can be resubmitted (fails again) and deleted.
        var frozen = await RelayPair.PollAsync(a.MailRoot, () => RelayPair.AskOutboundAsync<FrozenListResult>(a, new ListFrozen()),
            f => f.Messages.Count == 1, Wait, "one frozen message");
        var entry = frozen.Messages[0];
        Assert.Equal("alice@example.test", entry.MailFrom);
        Assert.Equal(new[] { RelayPair.Carol }, entry.Recipients);
        Assert.Equal(1, entry.Tries);
        var log = await RelayPair.AskOutboundAsync<FrozenLogResult>(a, new GetFrozenLog(entry.Id));
        Assert.Contains("permanent\t<carol@b.test>", log.Log);
        Assert.Contains("frozen", log.Log);

        var resubmit = await RelayPair.AskOutboundAsync<FrozenCommandResult>(a, new SubmitFrozen(entry.Id));
        Assert.True(resubmit.Ok, resubmit.Error);
        await a.WaitForMailAsync("alice", 2, Wait);   // a second DSN after the second permanent failure
        await RelayPair.PollAsync(a.MailRoot, () => RelayPair.AskOutboundAsync<FrozenLogResult>(a, new GetFrozenLog(entry.Id)),
            l => l.Log is { } text && text.Split("frozen:").Length == 3, Wait, "frozen again");

        var deleted = await RelayPair.AskOutboundAsync<FrozenCommandResult>(a, new DeleteFrozen(entry.Id));
        Assert.True(deleted.Ok, deleted.Error);
        Assert.Empty((await RelayPair.AskOutboundAsync<FrozenListResult>(a, new ListFrozen())).Messages);
        Assert.False((await RelayPair.AskOutboundAsync<FrozenCommandResult>(a, new DeleteFrozen("../../x"))).Ok);
    }

    [Fact]
    public async Task A_bounce_that_cannot_be_delivered_is_frozen_without_a_bounce_of_its_own()
    {
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig());
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("extra0")}", 2, "ca-hostname", b.CaFile));
        using (var raw = await RawSmtp.ConnectAsync(a.Port("smtp")))
        {
            await raw.ExpectAsync("220 ");
            await raw.SendAsync("EHLO client.test");
            await raw.ExpectAsync("250 ");
            await raw.SendAsync("STARTTLS");
            await raw.ExpectAsync("220 ");
            await raw.StartTlsAsync(a.CaCertificate);
            await raw.SendAsync("EHLO client.test");
            await raw.ExpectAsync("250 ");
            await raw.SendAsync("AUTH PLAIN " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0alice@example.test\0" + ServerFixture.AlicePassword)));
            await raw.ExpectAsync("235 ");
            await raw.SendAsync("MAIL FROM:<>");
            await raw.ExpectAsync("250 ");
            await raw.SendAsync($"RCPT TO:<{RelayPair.Carol}>");
            await raw.ExpectAsync("250 ");
            await raw.SendAsync("DATA");
            await raw.ExpectAsync("354 ");
            await raw.SendAsync("Subject: a notification\r\n\r\nbody\r\n.");
            await raw.ExpectAsync("250 ");
        }
        var frozen = await RelayPair.PollAsync(a.MailRoot, () => RelayPair.AskOutboundAsync<FrozenListResult>(a, new ListFrozen()),
            f => f.Messages.Count == 1, Wait, "the bounce to be frozen");
        Assert.Equal("", frozen.Messages[0].MailFrom);
        var log = (await RelayPair.AskOutboundAsync<FrozenLogResult>(a, new GetFrozenLog(frozen.Messages[0].Id))).Log!;
        Assert.Contains("no bounce: the message is itself a bounce", log);
        Assert.DoesNotContain("sent to <", log);
        Assert.False(Directory.Exists(Path.Combine(a.Maildir("alice"), "new")) && Directory.GetFiles(Path.Combine(a.Maildir("alice"), "new")).Length > 0);
        Assert.Empty(Directory.GetFiles(Path.Combine(a.MailRoot, "spool", "queue")));
    }

    [Fact]
    public async Task With_NeedTLS_1_and_no_STARTTLS_at_the_peer_the_message_is_delivered_in_clear()
    {
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig());
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("extra0")}", 1, "ca-hostname", b.CaFile));
        var raw = RelayPair.Message("opportunistic");
        await RelayPair.SendFromAliceAsync(a, raw);

        var files = await RelayPair.WaitForFilesAsync(RelayPair.CarolMaildir(b), 1, Wait);
        var stored = await File.ReadAllBytesAsync(files[0]);
        Assert.Matches(@"^Received: from localhost \(\[127\.0\.0\.1\]\)\r\n\tby localhost \(JdMail\) with ESMTP id ", RelayPair.Text(stored));
        Assert.Equal(raw, RelayPair.WithoutTwoReceived(stored));
    }

    [Fact]
    public async Task A_certificate_without_the_gateway_name_under_hostname_verification_keeps_the_message_queued_with_the_reason()
    {
        // B's certificate names only mx.b.test; A reaches it as 127.0.0.1 and checks the host name.
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig("mx.b.test"));
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("smtp")}", 2, "ca-hostname", b.CaFile, maxRetries: 1000));
        await RelayPair.SendFromAliceAsync(a, RelayPair.Message("wrong name"));

        var queue = await RelayPair.PollAsync(a.MailRoot, () => RelayPair.AskOutboundAsync<OutboundQueueResult>(a, new GetOutboundQueue()),
            q => q.Messages.Count == 1 && q.Messages[0].Recipients.Count == 1 && q.Messages[0].Recipients[0].Tries >= 2, Wait, "two failed tries");
        var r = queue.Messages[0].Recipients[0];
        Assert.Equal(RecipientStatus.Pending, r.Status);
        Assert.Contains("certificate name mismatch: 127.0.0.1", r.LastError);
        Assert.Contains("mx.b.test", r.LastError);
        Assert.False(Directory.Exists(RelayPair.CarolMaildir(b)) && Directory.GetFiles(RelayPair.CarolMaildir(b)).Length > 0);
        Assert.False(Directory.Exists(Path.Combine(a.Maildir("alice"), "new")) && Directory.GetFiles(Path.Combine(a.Maildir("alice"), "new")).Length > 0);
        var log = File.ReadAllText(Path.Combine(a.MailRoot, "spool", "outbound", queue.Messages[0].Id + ".log"));
        Assert.Contains("temporary\t<carol@b.test>\t127.0.0.1:", log);
        Assert.Contains("certificate name mismatch", log);
    }

    [Fact]
    public async Task The_same_certificate_is_accepted_when_the_gateway_names_the_host_its_certificate_carries()
    {
        await using var b = await ServerFixture.StartAsync(RelayPair.BConfig("mx.b.test"));
        await using var a = await ServerFixture.StartAsync(RelayPair.AConfig($"127.0.0.1:{b.Port("smtp")}", 2, "ca-hostname", b.CaFile,
            extraGateway: ", tls-name = \"mx.b.test\""));
        await RelayPair.SendFromAliceAsync(a, RelayPair.Message("right name"));
        var files = await RelayPair.WaitForFilesAsync(RelayPair.CarolMaildir(b), 1, Wait);
        Assert.Contains("with ESMTPS (TLSv1.", RelayPair.Text(await File.ReadAllBytesAsync(files[0])));
    }
}
