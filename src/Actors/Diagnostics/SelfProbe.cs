using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Diagnostics;

/// <summary>One endpoint to probe, at the address it is really bound to.</summary>
public sealed record ProbeTarget(string Endpoint, Protocol Protocol, TlsMode Tls, IPEndPoint Address);

/// <summary>What the probe needs to judge the served certificate.</summary>
/// <param name="HostName">jdmail.hostname: sent as SNI and checked against the certificate, as a client would.</param>
/// <param name="ClientCertificateRequired">SSLWantCert is on: a probe without a certificate is expected to be refused.</param>
/// <param name="Protocols">TLS versions the probe offers (None: the system default, TLS 1.2 and 1.3).</param>
public sealed record ProbeOptions(MailRootPaths Paths, string HostName, TimeSpan Timeout, bool ClientCertificateRequired = false,
    SslProtocols Protocols = SslProtocols.None);

/// <summary>
/// Connects to our own endpoints as a mail client would: implicit TLS, or the clear-text greeting followed by
/// STARTTLS (RFC 3207), STLS (RFC 2595) or <c>#!TLS</c> (XMail CTRL). Reports the negotiated protocol and cipher, the
/// served certificate's SHA-256 fingerprint against server.cert on disk, and whether the served chain verifies for
/// jdmail.hostname against our CA (certs.pem and sslconf/ CAs) or the system's roots. The probe accepts any
/// certificate to be able to look at it, then judges it itself; it never logs in or sends mail.
/// </summary>
public static class SelfProbe
{
    public static Task<ProbeResult[]> RunAsync(IEnumerable<ProbeTarget> targets, ProbeOptions options) =>
        Task.WhenAll(targets.Select(t => ProbeAsync(t, options)));

    /// <summary>The bound endpoints worth probing (those with TLS), from the listener state.</summary>
    public static IReadOnlyList<ProbeTarget> Targets(ListenerState state) => state.Bound
        .Where(b => b.Endpoint.Tls != TlsMode.None)
        .Select(b => new ProbeTarget(b.Endpoint.Name, b.Endpoint.Protocol, b.Endpoint.Tls, Reachable(b.BoundTo)))
        .ToList();

    private static IPEndPoint Reachable(IPEndPoint bound) =>
        bound.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, bound.Port)
        : bound.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, bound.Port)
        : bound;

    public static string UpgradeName(Protocol p, TlsMode t) => t == TlsMode.Implicit ? "implicit" : p switch
    {
        Protocol.Smtp => "STARTTLS",
        Protocol.Pop3 => "STLS",
        _ => "#!TLS",
    };

    public static async Task<ProbeResult> ProbeAsync(ProbeTarget target, ProbeOptions options)
    {
        var upgrade = UpgradeName(target.Protocol, target.Tls);
        var where = $"{upgrade} on {target.Address}";
        using var cts = new CancellationTokenSource(options.Timeout);
        X509Certificate2? served = null;
        var presented = new X509Certificate2Collection();
        string? version = null, cipher = null, stage = "connect";
        try
        {
            using var tcp = new TcpClient(target.Address.AddressFamily);
            await tcp.ConnectAsync(target.Address, cts.Token).ConfigureAwait(false);
            var net = tcp.GetStream();
            if (target.Tls == TlsMode.StartTls)
            {
                stage = "greeting";
                await UpgradeAsync(net, target.Protocol, cts.Token).ConfigureAwait(false);
            }
            stage = "TLS handshake";
            await using var ssl = new SslStream(net, leaveInnerStreamOpen: false);
            var client = new SslClientAuthenticationOptions
            {
                TargetHost = options.HostName,
                EnabledSslProtocols = options.Protocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // Look at whatever is served; the verdict is made below, against our CA and the host name.
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    if (cert is not null) served = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    if (chain is not null)
                    {
                        presented.AddRange(chain.ChainPolicy.ExtraStore);
                        foreach (var el in chain.ChainElements) presented.Add(X509CertificateLoader.LoadCertificate(el.Certificate.RawData));
                    }
                    return true;
                },
            };
            await ssl.AuthenticateAsClientAsync(client, cts.Token).ConfigureAwait(false);
            version = CipherNames.Protocol(ssl.SslProtocol);
            cipher = CipherNames.Iana(ssl.NegotiatedCipherSuite);
            // Implicit TLS: the greeting proves the server let us in (TLS 1.3 refuses client certificates after the
            // handshake). After an upgrade nothing more is needed: say goodbye where the protocol has a word for it.
            stage = "greeting in TLS";
            if (target.Tls == TlsMode.Implicit) await ExpectAsync(ssl, Greeting(target.Protocol), target.Protocol, cts.Token).ConfigureAwait(false);
            if (target.Protocol != Protocol.Ctrl)
            {
                try
                {
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes("QUIT\r\n"), cts.Token).ConfigureAwait(false);
                    await ReadReplyAsync(ssl, target.Protocol, cts.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ProbeException) { /* goodbye is best effort */ }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ProbeException)
        {
            var why = e is OperationCanceledException ? $"no answer within {options.Timeout.TotalSeconds:0}s" : e.GetBaseException().Message;
            if (version is null || target.Tls == TlsMode.Implicit && stage == "greeting in TLS")
                return Failed(target, upgrade, where, stage, why, version, cipher, served, options);
        }
        return Judge(target, upgrade, where, version!, cipher!, served, presented, options);
    }

    private static ProbeResult Failed(ProbeTarget t, string upgrade, string where, string stage, string why, string? version,
        string? cipher, X509Certificate2? served, ProbeOptions o)
    {
        var sha = served is null ? null : Sha(served);
        var item = o.ClientCertificateRequired && stage.StartsWith("TLS", StringComparison.Ordinal) || o.ClientCertificateRequired && stage == "greeting in TLS"
            ? DiagnosticItem.Warn(DiagnosticChecks.AreaProbe, t.Endpoint, $"{where}: refused at the {stage} ({why}); expected, since want-cert is on and the probe has no client certificate. Clients need a certificate from our CA (CTRL certclient).")
            : DiagnosticItem.Fail(DiagnosticChecks.AreaProbe, t.Endpoint, $"{where}: failed at the {stage}: {why}. Check the server log and the server-cert and listeners items.");
        return new ProbeResult(t.Endpoint, upgrade, t.Address.ToString(), version is not null, version, cipher,
            cipher is null ? null : CipherNames.OpenSsl(cipher), sha, false, false, "not verified", why, item);
    }

    private static ProbeResult Judge(ProbeTarget t, string upgrade, string where, string version, string cipher,
        X509Certificate2? served, X509Certificate2Collection presented, ProbeOptions o)
    {
        var openSsl = CipherNames.OpenSsl(cipher);
        var suite = openSsl == cipher ? cipher : $"{openSsl} ({cipher})";
        if (served is null)
        {
            var none = DiagnosticItem.Fail(DiagnosticChecks.AreaProbe, t.Endpoint, $"{where}: {version} {suite} but no certificate was served. Install server.cert (see the server-cert items).");
            return new ProbeResult(t.Endpoint, upgrade, t.Address.ToString(), true, version, cipher, openSsl, null, false, false, "no certificate", null, none);
        }
        var sha = Sha(served);
        var disk = MailRootView.ServerCertSha256(o.Paths);
        var matches = disk is not null && string.Equals(disk, sha, StringComparison.OrdinalIgnoreCase);
        var (verified, verification) = Verify(served, presented, o);
        var text = $"{where}: {version} {suite}, certificate sha256 {sha} {(matches ? "= server.cert on disk" : $"differs from server.cert on disk ({disk ?? "none"})")}, {verification}";
        var item = !verified
            ? DiagnosticItem.Fail(DiagnosticChecks.AreaProbe, t.Endpoint, $"{text}. Clients that verify refuse it: repair server.cert (see the server-cert items).")
            : !matches
                ? DiagnosticItem.Warn(DiagnosticChecks.AreaProbe, t.Endpoint, $"{text}. The files on disk cannot be used, so the last good certificate is still served: repair server.cert and server.key (see the server-cert items).")
                : DiagnosticItem.Ok(DiagnosticChecks.AreaProbe, t.Endpoint, text);
        return new ProbeResult(t.Endpoint, upgrade, t.Address.ToString(), true, version, cipher, openSsl, sha, matches, verified, verification, null, item);
    }

    private static (bool, string) Verify(X509Certificate2 leaf, X509Certificate2Collection presented, ProbeOptions o)
    {
        if (!leaf.MatchesHostname(o.HostName, allowWildcards: true, allowCommonName: false))
            return (false, $"does not name '{o.HostName}'");
        var ours = MailRootView.KnownCas(o.Paths).ToList();
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            foreach (var (_, ca) in ours) chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(ca.GetEncoded()));
            chain.ChainPolicy.ExtraStore.AddRange(presented);
            if (ours.Count > 0 && chain.Build(leaf))
            {
                var root = chain.ChainElements[^1].Certificate;
                var id = ours.FirstOrDefault(c => c.Cert.GetEncoded().AsSpan().SequenceEqual(root.RawData)).Id;
                return (true, $"verifies against our CA '{id}' for {o.HostName}");
            }
        }
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.ChainPolicy.ExtraStore.AddRange(presented);
            if (chain.Build(leaf)) return (true, $"verifies with the system's trusted roots for {o.HostName}");
            var why = string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return (false, $"does not verify against our CA or the system's roots ({why})");
        }
    }

    private static string Sha(X509Certificate2 c) => Convert.ToHexString(SHA256.HashData(c.RawData));

    private static string Greeting(Protocol p) => p switch { Protocol.Smtp => "220", Protocol.Pop3 => "+OK", _ => "+00000" };

    /// <summary>The clear-text part: greeting, then STARTTLS / STLS / #!TLS and its positive answer.</summary>
    private static async Task UpgradeAsync(Stream s, Protocol p, CancellationToken cancel)
    {
        await ExpectAsync(s, Greeting(p), p, cancel).ConfigureAwait(false);
        if (p == Protocol.Smtp)
        {
            await SendAsync(s, "EHLO jdmail-diag.invalid", cancel).ConfigureAwait(false);
            var ehlo = await ReadReplyAsync(s, p, cancel).ConfigureAwait(false);
            if (!ehlo.Any(l => l.Length > 4 && l[4..].StartsWith("STARTTLS", StringComparison.OrdinalIgnoreCase)))
                throw new ProbeException("STARTTLS is not offered after EHLO");
            await SendAsync(s, "STARTTLS", cancel).ConfigureAwait(false);
            await ExpectAsync(s, "220", p, cancel).ConfigureAwait(false);
        }
        else if (p == Protocol.Pop3)
        {
            await SendAsync(s, "STLS", cancel).ConfigureAwait(false);
            await ExpectAsync(s, "+OK", p, cancel).ConfigureAwait(false);
        }
        else
        {
            await SendAsync(s, "#!TLS", cancel).ConfigureAwait(false);
            await ExpectAsync(s, "+00000", p, cancel).ConfigureAwait(false);
        }
    }

    private static Task SendAsync(Stream s, string line, CancellationToken cancel) =>
        s.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), cancel).AsTask();

    private static async Task ExpectAsync(Stream s, string prefix, Protocol p, CancellationToken cancel)
    {
        var reply = await ReadReplyAsync(s, p, cancel).ConfigureAwait(false);
        if (!reply[^1].StartsWith(prefix, StringComparison.Ordinal))
            throw new ProbeException($"expected {prefix}, got \"{Truncate(reply[^1])}\"");
    }

    /// <summary>One reply: a single line, or for SMTP the lines up to the one with a space after the code (RFC 5321 §4.2.1).</summary>
    private static async Task<List<string>> ReadReplyAsync(Stream s, Protocol p, CancellationToken cancel)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(s, cancel).ConfigureAwait(false);
            lines.Add(line);
            if (p != Protocol.Smtp || line.Length < 4 || line[3] != '-') return lines;
        }
    }

    // Byte by byte, so nothing after the line is consumed before the TLS handshake takes the stream over.
    private static async Task<string> ReadLineAsync(Stream s, CancellationToken cancel)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (sb.Length < 4096)
        {
            if (await s.ReadAsync(one, cancel).ConfigureAwait(false) == 0)
                throw new ProbeException(sb.Length == 0 ? "the server closed the connection" : $"the server closed the connection after \"{Truncate(sb.ToString())}\"");
            if (one[0] == '\n') return sb.ToString().TrimEnd('\r');
            sb.Append((char)one[0]);
        }
        throw new ProbeException("reply line too long");
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "..." : s;

    private sealed class ProbeException(string message) : Exception(message);
}
