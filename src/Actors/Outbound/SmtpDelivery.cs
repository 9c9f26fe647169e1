using System.Security.Authentication;

namespace JdMail.Actors.Outbound;

/// <summary>Result of one attempt for one recipient.</summary>
public enum OutcomeKind { Delivered, Temporary, Permanent }

/// <summary>
/// What happened to one recipient: <see cref="Status"/> is an RFC 3463 code (for the DSN), <see cref="Detail"/> the
/// remote reply or our reason, <see cref="RemoteMta"/> the host that gave it.
/// </summary>
public sealed record RecipientOutcome(int Index, string Address, OutcomeKind Kind, string Status, string Detail, string? RemoteMta);

/// <summary>The message to send: envelope sender, recipients (index in the spool envelope, address), stored bytes.</summary>
public sealed record OutboundMessage(string Id, string MailFrom, IReadOnlyList<(int Index, string Address)> Recipients,
    string Path, long DataOffset);

/// <summary>How to reach one host: where, whether TLS starts at once (SMTPS), the name its certificate must carry, and policy.</summary>
public sealed record HostTarget(GatewayHost Host, bool ImplicitTls, string TlsName, OutboundTlsPolicy Policy);

/// <summary>Timeouts and names one attempt uses.</summary>
public sealed record ClientOptions(string Helo, TimeSpan ConnectTimeout, TimeSpan CommandTimeout, TimeSpan DataTimeout,
    SslProtocols Protocols, string CertsPem);

/// <summary>
/// One SMTP client transaction with one host (RFC 5321 §3.3): greeting, EHLO (HELO fallback), STARTTLS by policy
/// with EHLO again (RFC 3207 §4.2), MAIL with SIZE/BODY (RFC 1870, RFC 6152), RCPT per recipient, DATA through
/// <see cref="SmtpDataEncoder"/>, QUIT. <see cref="HostAttempt.TryNextHost"/> is set when the failure was the host's
/// (connection, greeting, TLS) and another host of the route may do better.
/// </summary>
public static class SmtpDelivery
{
    public sealed record HostAttempt(IReadOnlyList<RecipientOutcome> Outcomes, bool TryNextHost, string? Tls, IReadOnlyList<string> Transcript);

    public static async Task<HostAttempt> DeliverAsync(HostTarget target, OutboundMessage message, ClientOptions options, CancellationToken ct)
    {
        var mta = target.Host.ToString();
        var notes = new List<string>();
        HostAttempt All(OutcomeKind kind, string status, string detail, bool next, string? tls = null) =>
            new(message.Recipients.Select(r => new RecipientOutcome(r.Index, r.Address, kind, status, detail, mta)).ToList(), next, tls, notes);
        SmtpClientConnection conn;
        try
        {
            conn = await SmtpClientConnection.ConnectAsync(target.Host.Host, target.Host.Port, options.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (SmtpClientException e)
        {
            return All(OutcomeKind.Temporary, "4.4.1", e.Message, next: true);
        }
        await using var _ = conn;
        var tls = new OutboundTls(target.Policy, options.CertsPem, options.Protocols);
        var stage = "connect";
        try
        {
            if (target.ImplicitTls)
            {
                stage = "TLS handshake";
                if (!await HandshakeAsync(conn, tls, target, options, ct).ConfigureAwait(false))
                    return All(OutcomeKind.Temporary, "4.7.5", $"TLS with {mta} failed: {tls.Rejection}", next: true);
            }
            stage = "greeting";
            var greeting = await conn.ReadReplyAsync(options.CommandTimeout, ct).ConfigureAwait(false);
            if (greeting.Code != 220) return All(OutcomeKind.Temporary, "4.4.2", $"greeting: {greeting}", next: true);
            stage = "EHLO";
            var ehlo = await EhloAsync(conn, options, ct).ConfigureAwait(false);
            if (ehlo is null) return All(OutcomeKind.Temporary, "4.4.2", "EHLO and HELO refused", next: true);
            if (conn.Tls is null && target.Policy.NeedTls != NeedTls.Never)
            {
                if (ehlo.Contains("STARTTLS"))
                {
                    stage = "STARTTLS";
                    var reply = await conn.CommandAsync("STARTTLS", options.CommandTimeout, ct).ConfigureAwait(false);
                    if (reply.Code == 220)
                    {
                        stage = "TLS handshake";
                        if (!await HandshakeAsync(conn, tls, target, options, ct).ConfigureAwait(false))
                            return All(OutcomeKind.Temporary, "4.7.5", $"TLS with {mta} failed: {tls.Rejection}", next: true);
                        // RFC 3207 §4.2: the server forgets what it said before TLS; ask again.
                        stage = "EHLO after STARTTLS";
                        ehlo = await EhloAsync(conn, options, ct).ConfigureAwait(false);
                        if (ehlo is null) return All(OutcomeKind.Temporary, "4.4.2", "EHLO refused after STARTTLS", next: true);
                    }
                    else if (target.Policy.NeedTls == NeedTls.Required)
                    {
                        // XMail: the server's reply decides whether this is temporary or permanent.
                        return All(reply.Permanent ? OutcomeKind.Permanent : OutcomeKind.Temporary,
                            reply.EnhancedStatus ?? (reply.Permanent ? "5.7.10" : "4.7.10"), $"STARTTLS refused: {reply}", next: !reply.Permanent);
                    }
                    else notes.Add($"STARTTLS refused ({reply}); continuing in clear");
                }
                else if (target.Policy.NeedTls == NeedTls.Required)
                {
                    // XMail ERR_NO_REMOTE_SSL: a permanent failure (RFC 5248 5.7.10 "encryption needed").
                    return All(OutcomeKind.Permanent, "5.7.10", $"TLS required but {mta} does not offer STARTTLS", next: false);
                }
            }
            return await TransactionAsync(conn, ehlo, message, options, mta, notes, ct).ConfigureAwait(false);
        }
        catch (SmtpClientException e)
        {
            return All(OutcomeKind.Temporary, "4.4.2", $"{stage}: {e.Message}", next: true, conn.TlsDescription);
        }
        catch (AuthenticationException e)
        {
            return All(OutcomeKind.Temporary, "4.7.5", $"TLS with {mta} failed: {tls.Rejection ?? e.Message}", next: true);
        }
        catch (IOException e)
        {
            return All(OutcomeKind.Temporary, "4.4.2", $"{stage}: {e.Message}", next: true, conn.TlsDescription);
        }
    }

    private static async Task<bool> HandshakeAsync(SmtpClientConnection conn, OutboundTls tls, HostTarget target, ClientOptions options, CancellationToken ct)
    {
        try
        {
            await conn.StartTlsAsync(tls.Options(target.TlsName), options.ConnectTimeout, ct).ConfigureAwait(false);
            return true;
        }
        catch (AuthenticationException) when (tls.Rejection is not null)
        {
            return false;
        }
    }

    /// <summary>EHLO, or HELO when EHLO is refused (RFC 5321 §3.2); the advertised keywords (upper case) or null.</summary>
    private static async Task<HashSet<string>?> EhloAsync(SmtpClientConnection conn, ClientOptions options, CancellationToken ct)
    {
        var reply = await conn.CommandAsync($"EHLO {options.Helo}", options.CommandTimeout, ct).ConfigureAwait(false);
        if (reply.Code == 250)
            return new HashSet<string>(reply.Lines.Skip(1).Select(l => l.Trim().ToUpperInvariant()).SelectMany(l => new[] { l, l.Split(' ')[0] }));
        reply = await conn.CommandAsync($"HELO {options.Helo}", options.CommandTimeout, ct).ConfigureAwait(false);
        return reply.Code == 250 ? [] : null;
    }

    private static async Task<HostAttempt> TransactionAsync(SmtpClientConnection conn, HashSet<string> ehlo, OutboundMessage message,
        ClientOptions options, string mta, List<string> notes, CancellationToken ct)
    {
        var tlsText = conn.TlsDescription;
        var outcomes = new List<RecipientOutcome>();
        HostAttempt Done(OutcomeKind kind, SmtpClientReply reply, string what, IEnumerable<(int Index, string Address)> who) =>
            new(outcomes.Concat(who.Select(r => new RecipientOutcome(r.Index, r.Address, kind,
                reply.EnhancedStatus ?? (kind == OutcomeKind.Permanent ? "5.0.0" : "4.0.0"), $"{what}: {reply}", mta))).ToList(),
                false, tlsText, notes);

        var size = new FileInfo(message.Path).Length - message.DataOffset;
        var eightBit = HasEightBit(message.Path, message.DataOffset);
        // RFC 1870 §4: a server that announced a limit refuses anything bigger; do not even try.
        var sizeLimit = ehlo.FirstOrDefault(k => k.StartsWith("SIZE ", StringComparison.Ordinal)) is { } s && long.TryParse(s[5..], out var lim) ? lim : 0;
        if (sizeLimit > 0 && size > sizeLimit)
            return Done(OutcomeKind.Permanent, new SmtpClientReply(552, [$"5.3.4 message of {size} bytes exceeds the {sizeLimit} bytes {mta} accepts"]),
                "SIZE", message.Recipients);
        var mail = $"MAIL FROM:<{message.MailFrom}>";
        if (ehlo.Contains("SIZE")) mail += $" SIZE={size}";
        if (eightBit)
        {
            // RFC 6152: declare 8-bit content when we may; a peer without 8BITMIME gets it as is (what most MTAs do).
            if (ehlo.Contains("8BITMIME")) mail += " BODY=8BITMIME";
            else notes.Add($"{mta} does not announce 8BITMIME; 8-bit message sent as is");
        }
        var mailReply = await conn.CommandAsync(mail, options.CommandTimeout, ct).ConfigureAwait(false);
        if (!mailReply.Positive)
            return Done(mailReply.Permanent ? OutcomeKind.Permanent : OutcomeKind.Temporary, mailReply, "MAIL FROM", message.Recipients);

        var accepted = new List<(int Index, string Address)>();
        foreach (var r in message.Recipients)
        {
            var reply = await conn.CommandAsync($"RCPT TO:<{r.Address}>", options.CommandTimeout, ct).ConfigureAwait(false);
            if (reply.Positive) accepted.Add(r);
            else outcomes.Add(new RecipientOutcome(r.Index, r.Address, reply.Permanent ? OutcomeKind.Permanent : OutcomeKind.Temporary,
                reply.EnhancedStatus ?? (reply.Permanent ? "5.1.1" : "4.0.0"), $"RCPT TO: {reply}", mta));
        }
        if (accepted.Count == 0)
        {
            await QuitAsync(conn, options, ct).ConfigureAwait(false);
            return new HostAttempt(outcomes, false, tlsText, notes);
        }
        var dataReply = await conn.CommandAsync("DATA", options.CommandTimeout, ct).ConfigureAwait(false);
        if (dataReply.Code != 354)
            return Done(dataReply.Permanent ? OutcomeKind.Permanent : OutcomeKind.Temporary, dataReply, "DATA", accepted);
        await SendBodyAsync(conn, message, options, ct).ConfigureAwait(false);
        // RFC 5321 §4.5.3.2.6: wait up to 10 minutes for the reply to the final dot.
        var final = await conn.ReadReplyAsync(options.DataTimeout, ct).ConfigureAwait(false);
        var kind = final.Positive ? OutcomeKind.Delivered : final.Permanent ? OutcomeKind.Permanent : OutcomeKind.Temporary;
        outcomes.AddRange(accepted.Select(r => new RecipientOutcome(r.Index, r.Address, kind,
            final.EnhancedStatus ?? (kind switch { OutcomeKind.Delivered => "2.0.0", OutcomeKind.Permanent => "5.0.0", _ => "4.0.0" }),
            $"end of data: {final}", mta)));
        await QuitAsync(conn, options, ct).ConfigureAwait(false);
        return new HostAttempt(outcomes, false, tlsText, notes);
    }

    private static async Task SendBodyAsync(SmtpClientConnection conn, OutboundMessage message, ClientOptions options, CancellationToken ct)
    {
        var encoder = new SmtpDataEncoder();
        var buffer = new byte[64 * 1024];
        var output = new List<byte>(2 * buffer.Length + 8);
        await using var fs = new FileStream(message.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        fs.Position = message.DataOffset;
        int n;
        while ((n = await fs.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            encoder.Encode(buffer.AsSpan(0, n), output);
            await conn.WriteAsync(output.ToArray(), options.DataTimeout, ct).ConfigureAwait(false);
        }
        encoder.Finish(output);
        await conn.WriteAsync(output.ToArray(), options.DataTimeout, ct).ConfigureAwait(false);
    }

    private static async Task QuitAsync(SmtpClientConnection conn, ClientOptions options, CancellationToken ct)
    {
        try { await conn.CommandAsync("QUIT", TimeSpan.FromSeconds(Math.Min(10, options.CommandTimeout.TotalSeconds)), ct).ConfigureAwait(false); }
        catch (SmtpClientException) { /* the transaction is already decided */ }
    }

    private static bool HasEightBit(string path, long offset)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        fs.Position = offset;
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = fs.Read(buffer, 0, buffer.Length)) > 0)
            if (buffer.AsSpan(0, n).IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0) return true;
        return false;
    }
}
