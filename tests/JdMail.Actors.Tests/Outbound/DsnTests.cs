using System.Text;
using JdMail.Actors.Outbound;

namespace JdMail.Actors.Tests.Outbound;

public sealed class DsnTests
{
    [Fact]
    public void A_DSN_is_a_multipart_report_with_one_status_block_per_failed_recipient_and_the_original_headers()
    {
        var original = Encoding.ASCII.GetBytes("Subject: hello\r\nFrom: <a@x.test>\r\n\r\nbody line\r\n");
        var dsn = Encoding.UTF8.GetString(Dsn.Build("mx.x.test", "q1", "a@x.test", DateTimeOffset.UnixEpoch, [
            new RecipientOutcome(1, "b@y.test", OutcomeKind.Permanent, "5.7.10", "TLS required but y does not offer STARTTLS", "10.0.0.1:25"),
            new RecipientOutcome(2, "c@y.test", OutcomeKind.Temporary, "4.4.1", "connection refused (gave up after 32 tries)", "10.0.0.1:25"),
        ], Dsn.HeaderSection(original), DateTimeOffset.UnixEpoch));
        Assert.Contains("Content-Type: multipart/report; report-type=delivery-status;", dsn);
        Assert.Contains("To: <a@x.test>\r\n", dsn);
        Assert.Contains("Reporting-MTA: dns; mx.x.test\r\n", dsn);
        Assert.Contains("Final-Recipient: rfc822; b@y.test\r\nOriginal-Recipient: rfc822; b@y.test\r\nAction: failed\r\nStatus: 5.7.10\r\n", dsn);
        Assert.Contains("Final-Recipient: rfc822; c@y.test\r\nOriginal-Recipient: rfc822; c@y.test\r\nAction: failed\r\nStatus: 4.4.1\r\n", dsn);
        Assert.Contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: hello\r\nFrom: <a@x.test>\r\n\r\n--", dsn);
        Assert.DoesNotContain("body line", dsn);
    }

    [Theory]
    [InlineData("A: 1\r\nB: 2\r\n\r\nbody", "A: 1\r\nB: 2\r\n")]
    [InlineData("A: 1\nB: 2\n\nbody", "A: 1\nB: 2\n")]
    [InlineData("A: 1\r\n", "A: 1\r\n")]
    public void The_header_section_ends_before_the_first_empty_line(string message, string headers) =>
        Assert.Equal(headers, Encoding.ASCII.GetString(Dsn.HeaderSection(Encoding.ASCII.GetBytes(message))));
}
