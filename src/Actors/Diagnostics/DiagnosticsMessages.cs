namespace JdMail.Actors.Diagnostics;

/// <summary>How an item stands. Ordered: a report is as bad as its worst item.</summary>
public enum DiagnosticStatus { Ok = 0, Warn = 1, Fail = 2 }

/// <summary>One line of the diagnostics view (CTRL <c>diag</c> rows <c>"area" "item" "status" "detail"</c>).</summary>
/// <param name="Area">tls, server-cert, ca, trust, client-certs, listeners, probe.</param>
/// <param name="Item">What is checked within the area (server.key, pair, smtps, ...).</param>
/// <param name="Detail">What was found; when not OK, ends with one sentence that says how to fix it.</param>
public sealed record DiagnosticItem(string Area, string Item, DiagnosticStatus Status, string Detail)
{
    /// <summary>"OK", "WARN" or "FAIL", as tables, the log and CTRL show it.</summary>
    public string StatusText => Status.Text();

    public override string ToString() => $"{Area}/{Item} {StatusText}: {Detail}";

    public static DiagnosticItem Ok(string area, string item, string detail) => new(area, item, DiagnosticStatus.Ok, detail);
    public static DiagnosticItem Warn(string area, string item, string detail) => new(area, item, DiagnosticStatus.Warn, detail);
    public static DiagnosticItem Fail(string area, string item, string detail) => new(area, item, DiagnosticStatus.Fail, detail);
}

public static class DiagnosticStatusText
{
    public static string Text(this DiagnosticStatus s) => s switch
    {
        DiagnosticStatus.Ok => "OK",
        DiagnosticStatus.Warn => "WARN",
        _ => "FAIL",
    };
}

/// <summary>What a client saw when the self-probe connected to one of our endpoints.</summary>
/// <param name="Endpoint">The endpoint name (smtp, smtps, ..., extra0).</param>
/// <param name="Upgrade">How TLS was entered: "implicit", "STARTTLS", "STLS" or "#!TLS".</param>
/// <param name="TlsVersion">As OpenSSL prints it: "TLSv1.3", "TLSv1.2".</param>
/// <param name="Cipher">IANA name of the negotiated suite (TLS_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384).</param>
/// <param name="OpenSslCipher">The same suite as OpenSSL names it (TLS_AES_256_GCM_SHA384, ECDHE-ECDSA-AES256-GCM-SHA384).</param>
/// <param name="Sha256">SHA-256 fingerprint of the served leaf certificate, upper-case hex without separators.</param>
/// <param name="MatchesDisk">The served certificate is the leaf of <c>server.cert</c> on disk.</param>
/// <param name="Verification">How (or why not) the served chain verifies for the configured host name.</param>
public sealed record ProbeResult(string Endpoint, string Upgrade, string Address, bool Handshaken, string? TlsVersion,
    string? Cipher, string? OpenSslCipher, string? Sha256, bool MatchesDisk, bool Verified, string Verification,
    string? Error, DiagnosticItem Item);

/// <summary>Asks the <see cref="DiagnosticsActor"/> for the current view; <paramref name="Probe"/> also connects to every
/// TLS endpoint (takes up to the probe timeout per endpoint). Answered with <see cref="DiagnosticsReport"/>.</summary>
public sealed record GetDiagnostics(bool Probe = false);

/// <summary>The diagnostics view. <see cref="Items"/> include the probe items (area "probe") when a probe ran.</summary>
public sealed record DiagnosticsReport(IReadOnlyList<DiagnosticItem> Items, IReadOnlyList<ProbeResult> Probes, DateTime CheckedAtUtc)
{
    public DiagnosticStatus Worst => Items.Count == 0 ? DiagnosticStatus.Ok : Items.Max(i => i.Status);

    /// <summary><c>jdmail diag</c>'s exit code: 0 all OK, 1 a WARN, 2 a FAIL.</summary>
    public int ExitCode => (int)Worst;

    public IEnumerable<DiagnosticItem> NotOk => Items.Where(i => i.Status != DiagnosticStatus.Ok);

    public DiagnosticItem? Find(string area, string item) => Items.FirstOrDefault(i => i.Area == area && i.Item == item);
}
