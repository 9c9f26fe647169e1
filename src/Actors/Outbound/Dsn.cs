using System.Globalization;
using System.Text;

namespace JdMail.Actors.Outbound;

/// <summary>
/// Delivery status notifications (RFC 3464) as multipart/report (RFC 6522): a human-readable part, the
/// message/delivery-status part with one block per failed recipient, and the original headers
/// (text/rfc822-headers). Sent with the null reverse-path (RFC 5321 §4.5.5) so a bounce never bounces. Pure.
/// </summary>
public static class Dsn
{
    public static byte[] Build(string reportingMta, string originalId, string originalSender, DateTimeOffset arrival,
        IReadOnlyList<RecipientOutcome> failed, ReadOnlySpan<byte> originalHeaders, DateTimeOffset now)
    {
        var boundary = "=_jdmail_dsn_" + Guid.NewGuid().ToString("N");
        var date = Rfc5322Date(now);
        var sb = new StringBuilder();
        sb.Append($"From: Mail Delivery System <MAILER-DAEMON@{reportingMta}>\r\n");
        sb.Append($"To: <{originalSender}>\r\n");
        sb.Append("Subject: Undelivered Mail Returned to Sender\r\n");
        sb.Append($"Date: {date}\r\n");
        sb.Append($"Message-ID: <{originalId}.dsn.{Guid.NewGuid():N}@{reportingMta}>\r\n");
        sb.Append("Auto-Submitted: auto-replied\r\n");   // RFC 3834
        sb.Append("MIME-Version: 1.0\r\n");
        sb.Append($"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n");
        sb.Append("\r\n");
        sb.Append("This is a MIME-encapsulated message.\r\n\r\n");

        sb.Append($"--{boundary}\r\n");
        sb.Append("Content-Type: text/plain; charset=utf-8\r\n");
        sb.Append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        sb.Append($"This is the mail system at {reportingMta}.\r\n\r\n");
        sb.Append("Your message could not be delivered to one or more recipients.\r\n\r\n");
        foreach (var f in failed)
            sb.Append($"<{f.Address}>: {OneLine(f.Detail)}\r\n");
        sb.Append("\r\n");

        sb.Append($"--{boundary}\r\n");
        sb.Append("Content-Type: message/delivery-status\r\n\r\n");
        // Per-message fields (RFC 3464 §2.2).
        sb.Append($"Reporting-MTA: dns; {reportingMta}\r\n");
        sb.Append($"X-JdMail-Queue-ID: {originalId}\r\n");
        sb.Append($"Arrival-Date: {Rfc5322Date(arrival)}\r\n");
        foreach (var f in failed)
        {
            // Per-recipient fields (RFC 3464 §2.3).
            sb.Append("\r\n");
            sb.Append($"Final-Recipient: rfc822; {f.Address}\r\n");
            sb.Append($"Original-Recipient: rfc822; {f.Address}\r\n");
            sb.Append("Action: failed\r\n");
            sb.Append($"Status: {StatusFor(f)}\r\n");
            if (f.RemoteMta is { } mta) sb.Append($"Remote-MTA: dns; {OneLine(mta)}\r\n");
            sb.Append($"Diagnostic-Code: smtp; {OneLine(f.Detail)}\r\n");
            sb.Append($"Last-Attempt-Date: {date}\r\n");
        }
        sb.Append("\r\n");

        sb.Append($"--{boundary}\r\n");
        sb.Append("Content-Type: text/rfc822-headers\r\n\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        var tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        var result = new byte[head.Length + originalHeaders.Length + tail.Length];
        head.CopyTo(result, 0);
        originalHeaders.CopyTo(result.AsSpan(head.Length));
        tail.CopyTo(result, head.Length + originalHeaders.Length);
        return result;
    }

    /// <summary>The header section of a stored message (up to and excluding the empty line), capped at 64 KiB.</summary>
    public static byte[] HeaderSection(ReadOnlySpan<byte> message)
    {
        var limit = Math.Min(message.Length, 64 * 1024);
        var span = message[..limit];
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i] != '\n') continue;
            var next = i + 1;
            if (next < span.Length && span[next] == '\n') return span[..next].ToArray();
            if (next + 1 < span.Length && span[next] == '\r' && span[next + 1] == '\n') return span[..next].ToArray();
        }
        return span.ToArray();
    }

    private static string StatusFor(RecipientOutcome f) =>
        // A DSN with Action: failed carries a 5.x.x or the 4.x.x that expired (RFC 3464 §2.3.4).
        f.Status.Length >= 5 && f.Status[0] is '4' or '5' ? f.Status : "5.0.0";

    private static string OneLine(string s) => new(s.Select(c => c is '\r' or '\n' or '\t' ? ' ' : c).Where(c => !char.IsControl(c)).ToArray());

    private static string Rfc5322Date(DateTimeOffset t) => t.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
}
