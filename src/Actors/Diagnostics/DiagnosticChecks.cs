using System.Security.Cryptography.X509Certificates;
using JdMail.Actors.Net;
using JdMail.Actors.Settings;
using JdMail.Pki;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Actors.Diagnostics;

/// <summary>What is known of the endpoints: bound and failed ones, whether every endpoint has answered, and whether a
/// server runs at all (offline diagnostics of a MailRoot only report what is configured).</summary>
public sealed record ListenerState(IReadOnlyList<ListenerBound> Bound, IReadOnlyList<ListenerFailed> Failed, bool Complete, bool Running)
{
    public static readonly ListenerState Offline = new([], [], true, false);
}

/// <summary>
/// The checks, as pure functions of files, settings and a time: each returns items, never throws for a bad file.
/// Items whose input is missing are left out (a missing key yields one FAIL for server.key, not also one for the
/// pair), so a broken environment shows exactly the item to repair.
/// </summary>
public static class DiagnosticChecks
{
    public const string AreaTls = "tls", AreaServer = "server-cert", AreaCa = "ca", AreaTrust = "trust",
        AreaClient = "client-certs", AreaListeners = "listeners", AreaProbe = "probe";

    // Expiry thresholds (issue 6): WARN within 30, 14 and 7 days, FAIL within 1 day and after expiry.
    private static readonly int[] WarnDays = [7, 14, 30];

    // ---------------------------------------------------------------------------------------------- TLS library

    public static DiagnosticItem Library(TlsLibraryInfo lib)
    {
        if (lib.Version is null)
            return DiagnosticItem.Warn(AreaTls, "library", $"{lib.Name}, version unknown ({lib.Source}). Install the distribution's OpenSSL 3 package (libssl3).");
        var text = $"{lib.Version} via {lib.Source}";
        return lib.SupportsTls13
            ? DiagnosticItem.Ok(AreaTls, "library", text)
            : DiagnosticItem.Warn(AreaTls, "library", $"{text}: no TLS 1.3. Upgrade the system OpenSSL to 1.1.1 or later (3.x preferred).");
    }

    // ---------------------------------------------------------------------------------------------- server.cert / server.key

    /// <summary>server.cert and server.key: present, readable, key mode, pair, validity and expiry, host name, issuer and chain.</summary>
    public static IReadOnlyList<DiagnosticItem> ServerCertificate(MailRootPaths paths, string hostName, CaView ca, DateTime nowUtc)
    {
        var items = new List<DiagnosticItem>();
        var chain = ReadCertFile(paths.ServerCert, out var certProblem);
        if (chain is null) items.Add(DiagnosticItem.Fail(AreaServer, "server.cert", certProblem!));
        else items.Add(DiagnosticItem.Ok(AreaServer, "server.cert", $"{chain[0].SubjectDN}, serial {chain[0].SerialNumber.ToString(16)}, {chain.Count} certificate(s) (leaf and chain)"));

        var key = ReadKeyFile(paths.ServerKey, out var keyProblem);
        if (key is null) items.Add(DiagnosticItem.Fail(AreaServer, "server.key", keyProblem!));
        else items.Add(DiagnosticItem.Ok(AreaServer, "server.key", $"{KeyLabel(key)} private key"));

        if (File.Exists(paths.ServerKey) && !OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(paths.ServerKey);
            var loose = mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
            items.Add(loose == 0
                ? DiagnosticItem.Ok(AreaServer, "key-mode", $"mode {Octal(mode)}")
                : DiagnosticItem.Warn(AreaServer, "key-mode", $"server.key is mode {Octal(mode)}, so other local users can read the private key. Run: chmod 600 {paths.ServerKey}"));
        }

        if (chain is null) return items;
        var leaf = chain[0];
        if (key is not null)
            items.Add(KeyMaterial.IsPair(leaf, key)
                ? DiagnosticItem.Ok(AreaServer, "pair", "server.key belongs to server.cert")
                : DiagnosticItem.Fail(AreaServer, "pair", "server.key does not belong to server.cert, so no new TLS connection can use them. Install a certificate together with its own key (CTRL certinstall <id>) or restore the key issued with this certificate."));

        items.Add(Validity(AreaServer, "validity", "server.cert", chain, nowUtc,
            "Issue a new server certificate and install it (CTRL certserver ... install 1, or certinstall <id>)."));
        items.Add(HostName(leaf, hostName));
        items.Add(Issuer(paths, chain, ca, nowUtc));
        return items;
    }

    private static DiagnosticItem HostName(BcX509 leaf, string hostName)
    {
        using var cert = X509CertificateLoader.LoadCertificate(leaf.GetEncoded());
        var names = new List<string>();
        foreach (var ext in cert.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(ext.EnumerateDnsNames());
            names.AddRange(ext.EnumerateIPAddresses().Select(a => a.ToString()));
        }
        var list = names.Count == 0 ? "no subjectAltName" : string.Join(", ", names);
        return cert.MatchesHostname(hostName, allowWildcards: true, allowCommonName: false)
            ? DiagnosticItem.Ok(AreaServer, "host-name", $"covers jdmail.hostname '{hostName}' (names: {list})")
            : DiagnosticItem.Fail(AreaServer, "host-name", $"server.cert names {list}, not jdmail.hostname '{hostName}', so clients that check the host name refuse it. Issue a certificate for '{hostName}' (CTRL certserver with that name, install 1) or correct jdmail.hostname.");
    }

    /// <summary>Who signed server.cert, whether its chain completes to a root we or the system know, and what that means for clients.</summary>
    private static DiagnosticItem Issuer(MailRootPaths paths, IReadOnlyList<BcX509> chain, CaView ca, DateTime nowUtc)
    {
        var leaf = chain[0];
        // Judge the chain at a moment the leaf is valid: expiry is the validity item's business.
        var at = Clamp(nowUtc, leaf.NotBefore.ToUniversalTime(), leaf.NotAfter.ToUniversalTime());
        if (leaf.SubjectDN.Equivalent(leaf.IssuerDN, true) && Verifies(leaf, leaf))
            return DiagnosticItem.Warn(AreaServer, "issuer", "self-signed: a client accepts it only after trusting this very certificate (or with verification off). Issue a server certificate from the private CA (CTRL certserver ... install 1) or import one from a public CA.");

        var known = MailRootView.KnownCas(paths);
        if (known.Count > 0)
        {
            var result = ChainValidator.Verify(leaf, known.Select(k => k.Cert), at, chain.Skip(1));
            // A full RFC 5280 check first; when only dates stand in the way (a test certificate backdated before its CA,
            // an expired CA), the signatures still say who issued it, and the validity items report the dates.
            var root = result.IsValid ? result.Path[^1] : SignaturePathRoot(leaf, chain, known.Select(k => k.Cert).ToList());
            if (root is not null)
            {
                var id = known.First(k => k.Cert.Equals(root)).Id;
                if (id == ca.CurrentCaId)
                    return DiagnosticItem.Ok(AreaServer, "issuer", $"signed by our current private CA '{id}' ({root.SubjectDN}): clients trust it once they install certs.pem (our CA certificate)");
                return DiagnosticItem.Warn(AreaServer, "issuer", $"signed by our CA '{id}', which is not the current private CA '{ca.CurrentCaId ?? "(none)"}': clients that installed only the current CA refuse it. Issue a new server certificate from the current CA and install it (CTRL certserver ... install 1).");
            }
        }

        using var x = X509CertificateLoader.LoadCertificate(leaf.GetEncoded());
        using var sys = new X509Chain();
        sys.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        sys.ChainPolicy.DisableCertificateDownloads = true;   // clients do not fetch missing intermediates either
        sys.ChainPolicy.VerificationTime = at;
        foreach (var c in chain.Skip(1)) sys.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(c.GetEncoded()));
        if (sys.Build(x))
            return DiagnosticItem.Ok(AreaServer, "issuer", $"issued by a public CA ({sys.ChainElements[^1].Certificate.Subject}): clients trust it without any setup");
        return DiagnosticItem.Fail(AreaServer, "issuer", $"issued by '{leaf.IssuerDN}', which neither our private CA nor the system's trusted roots know (or server.cert lacks the intermediate certificates), so clients refuse it. Install a certificate from our CA (CTRL certserver ... install 1), or append the issuer's intermediate certificates to server.cert after the leaf.");
    }

    // ---------------------------------------------------------------------------------------------- CA and CRL

    /// <summary>The current private CA (present, key present, expiry) and its CRL (present, signed, not stale).</summary>
    public static IReadOnlyList<DiagnosticItem> CertificateAuthority(MailRootPaths paths, CaView ca, DateTime nowUtc)
    {
        var items = new List<DiagnosticItem>();
        if (ca.CurrentCaId is not { } id)
        {
            items.Add(DiagnosticItem.Warn(AreaCa, "private-ca", "no private CA, so no server or client certificate can be issued here. Create one (CTRL cacreate), or use public-CA mode (certreq/certimport)."));
            return items;
        }
        var dir = Path.Combine(paths.SslConf, id);
        var caCert = ReadCertFile(Path.Combine(dir, "cert.pem"), out var problem)?[0];
        if (caCert is null)
        {
            items.Add(DiagnosticItem.Fail(AreaCa, "private-ca", $"CA '{id}': {problem}"));
            return items;
        }
        if (!File.Exists(Path.Combine(dir, "key.pem")))
            items.Add(DiagnosticItem.Fail(AreaCa, "private-ca", $"CA '{id}': {Path.Combine(dir, "key.pem")} is missing, so the CA can neither issue certificates nor sign CRLs. Restore it from a backup, or create a new CA (CTRL cacreate ... replace 1) and reissue."));
        else
        {
            var v = Validity(AreaCa, "private-ca", $"CA '{id}' ({caCert.SubjectDN})", [caCert], nowUtc,
                "Create a new CA (CTRL cacreate ... replace 1), reissue the server certificate and let clients install the new certs.pem.");
            items.Add(v);
        }
        items.Add(Crl(dir, id, caCert, nowUtc));
        if (ca.FromJournal)
            items.Add(ca.Problems is { Count: > 0 } problems
                ? DiagnosticItem.Warn(AreaCa, "store", string.Join(" ", problems))
                : DiagnosticItem.Ok(AreaCa, "store", "every item the CA journaled has its files in sslconf/"));
        return items;
    }

    private static DiagnosticItem Crl(string dir, string id, BcX509 caCert, DateTime nowUtc)
    {
        var file = Path.Combine(dir, "crl.pem");
        if (!File.Exists(file))
            return DiagnosticItem.Warn(AreaCa, "crl", $"CA '{id}' has no CRL yet ({file}). The CA signs one at start and after every revocation; if this stays, check the server log for CA errors.");
        Org.BouncyCastle.X509.X509Crl crl;
        try { crl = PemCodec.ReadCrlAny(File.ReadAllBytes(file)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException)
        {
            return DiagnosticItem.Fail(AreaCa, "crl", $"{file} cannot be read ({e.Message}). Delete it and restart JdMail: the CA signs a new one.");
        }
        if (!Crls.IsSignedBy(crl, caCert))
            return DiagnosticItem.Fail(AreaCa, "crl", $"{file} is not signed by CA '{id}', so revocation checks ignore it. Delete it and restart JdMail: the CA signs a new one.");
        var number = Crls.Number(crl)?.ToString() ?? "?";
        var next = crl.NextUpdate?.ToUniversalTime();
        var revoked = Crls.RevokedSerials(crl).Count;
        if (next is { } n && n <= nowUtc)
            return DiagnosticItem.Fail(AreaCa, "crl", $"CRL {number} of CA '{id}' is stale: its nextUpdate {MailRootView.Time(n)} has passed, so clients that check revocation refuse our certificates. The CA reissues CRLs by itself: check the server log for CA errors (key passphrase, sslconf/{id}/key.pem) and restart JdMail.");
        return DiagnosticItem.Ok(AreaCa, "crl", $"CRL {number} of CA '{id}', {revoked} revoked, next update {(next is { } t ? MailRootView.Time(t) : "none")}");
    }

    // ---------------------------------------------------------------------------------------------- certs.pem, certs/

    /// <summary>certs.pem and certs/: present and holding our CA, and certs/ named as <c>openssl rehash</c> names it.
    /// Strict (FAIL) only when the option that uses the file is on.</summary>
    public static IReadOnlyList<DiagnosticItem> TrustFiles(MailRootPaths paths, ClientCertificateSettings cc, CaView ca)
    {
        var currentCa = ca.CurrentCaId is { } id ? MailRootView.FirstCert(Path.Combine(paths.SslConf, id, "cert.pem")) : null;
        return [CertsPem(paths, cc.UseCertsFile, currentCa, ca.CurrentCaId), CertsDir(paths, cc.UseCertsDir, currentCa, ca.CurrentCaId)];
    }

    private static DiagnosticItem CertsPem(MailRootPaths paths, bool used, BcX509? currentCa, string? caId)
    {
        const string item = "certs.pem";
        var use = used ? "used for client certificates (use-certs-file on)" : "the CA file mail clients install (use-certs-file off)";
        var certs = ReadCertFile(paths.CertsPem, out var problem);
        if (certs is null)
        {
            var text = $"{problem} certs.pem is {use}. Restart JdMail (the CA rewrites certs.pem) or restore it from sslconf/<ca>/cert.pem.";
            return used ? DiagnosticItem.Fail(AreaTrust, item, text) : DiagnosticItem.Warn(AreaTrust, item, text);
        }
        if (currentCa is not null && !certs.Any(c => c.Equals(currentCa)))
            return DiagnosticItem.Warn(AreaTrust, item, $"certs.pem ({certs.Count} certificate(s)) lacks our current CA '{caId}', so clients and client certificates of that CA are not covered. Restart JdMail: the CA rewrites certs.pem.");
        return DiagnosticItem.Ok(AreaTrust, item, $"{certs.Count} CA certificate(s); {use}");
    }

    private static DiagnosticItem CertsDir(MailRootPaths paths, bool used, BcX509? currentCa, string? caId)
    {
        const string item = "certs/";
        if (!used) return DiagnosticItem.Ok(AreaTrust, item, "not used (use-certs-dir off)");
        var dir = paths.CertsDir;
        var fix = $"Run `openssl rehash {dir}` on a folder holding the CA certificates, or restart JdMail (the CA rewrites certs/).";
        if (!System.IO.Directory.Exists(dir))
            return DiagnosticItem.Fail(AreaTrust, item, $"{dir} is missing although use-certs-dir is on, so client certificates cannot verify. {fix}");
        var files = System.IO.Directory.EnumerateFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var hashed = files.Where(f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^[0-9a-f]{8}\.r?\d+$")).ToList();
        var certs = new List<(string Name, BcX509 Cert)>();
        var crls = new List<(string Name, Org.BouncyCastle.X509.X509Crl Crl)>();
        foreach (var f in hashed)
        {
            var path = Path.Combine(dir, f);
            try
            {
                if (f.Contains(".r", StringComparison.Ordinal)) crls.Add((f, PemCodec.ReadCrlAny(File.ReadAllBytes(path))));
                else if (PemCodec.ReadCertificates(File.ReadAllText(path)).FirstOrDefault() is { } c) certs.Add((f, c));
                else return DiagnosticItem.Fail(AreaTrust, item, $"{path} holds no certificate. {fix}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException)
            {
                return DiagnosticItem.Fail(AreaTrust, item, $"{path} cannot be read ({e.Message}). {fix}");
            }
        }
        if (certs.Count == 0)
            return DiagnosticItem.Fail(AreaTrust, item, $"{dir} holds no certificate under an OpenSSL hash name (hhhhhhhh.0){(files.Count > 0 ? $"; it has {string.Join(", ", files.Take(5))}" : "")}, so client certificates cannot verify. {fix}");
        // The names openssl rehash gives the same objects, taken in file-name order as rehash reads them.
        var expected = HashedDirectory.Names(certs.Select(c => c.Cert), crls.Select(c => c.Crl));
        foreach (var (name, cert) in certs)
        {
            var want = expected.FirstOrDefault(e => e.Certificate is not null && e.Certificate.Equals(cert))?.FileName;
            if (want != name)
                return DiagnosticItem.Fail(AreaTrust, item, $"{Path.Combine(dir, name)} holds {cert.SubjectDN}, which openssl looks up as {want ?? "(a duplicate)"}, so it is never found. {fix}");
        }
        foreach (var (name, crl) in crls)
        {
            var want = expected.FirstOrDefault(e => e.Crl is not null && e.Crl.Equals(crl))?.FileName;
            if (want != name)
                return DiagnosticItem.Fail(AreaTrust, item, $"{Path.Combine(dir, name)} holds the CRL of {crl.IssuerDN}, which openssl looks up as {want ?? "(a duplicate)"}. {fix}");
        }
        if (currentCa is not null && !certs.Any(c => c.Cert.Equals(currentCa)))
            return DiagnosticItem.Warn(AreaTrust, item, $"{dir} lacks our current CA '{caId}', so its client certificates do not verify. {fix}");
        return DiagnosticItem.Ok(AreaTrust, item, $"{certs.Count} CA certificate(s) and {crls.Count} CRL(s) under the names openssl rehash gives them");
    }

    // ---------------------------------------------------------------------------------------------- client certificates

    /// <summary>Client-certificate verification on or off, and whether it has trust anchors to verify with.</summary>
    public static DiagnosticItem ClientVerification(MailRootPaths paths, ClientCertificateSettings cc)
    {
        const string item = "verification";
        if (!cc.Verify)
            return DiagnosticItem.Ok(AreaClient, item, $"off: clients are never asked for a certificate (want-cert and want-verify off){(cc.UseCertsFile || cc.UseCertsDir ? "; the trust files are configured but unused" : "")}");
        var flags = $"want-cert {OnOff(cc.WantCert)}, want-verify {OnOff(cc.WantVerify)}, allow-self-signed {OnOff(cc.AllowSelfSigned)}, max-depth {cc.MaxDepth}, revocation {OnOff(cc.CheckRevocation)}";
        if (!cc.UseCertsFile && !cc.UseCertsDir)
            return DiagnosticItem.Fail(AreaClient, item, $"on ({flags}) with no trust file: neither use-certs-file nor use-certs-dir is on, so certificates from our CA cannot verify. Set jdmail.tls.client-certificates.use-certs-file = true (certs.pem holds our CA).");
        var anchors = new Tls.TrustMaterial(paths).Current(cc).Anchors.Count;
        if (anchors == 0)
            return DiagnosticItem.Fail(AreaClient, item, $"on ({flags}) but {(cc.UseCertsFile ? "certs.pem" : "")}{(cc.UseCertsFile && cc.UseCertsDir ? " and " : "")}{(cc.UseCertsDir ? "certs/" : "")} hold no CA certificate, so every client certificate is refused. Restart JdMail (the CA rewrites the trust files) or restore them.");
        return DiagnosticItem.Ok(AreaClient, item, $"on ({flags}); {anchors} trusted CA certificate(s) from {(cc.UseCertsFile ? "certs.pem " : "")}{(cc.UseCertsDir ? "certs/" : "")}".TrimEnd());
    }

    // ---------------------------------------------------------------------------------------------- listeners

    private static readonly (string Name, Protocol Protocol, TlsMode Tls, string Switch)[] Named =
    [
        ("smtp", Protocol.Smtp, TlsMode.StartTls, ""), ("smtps", Protocol.Smtp, TlsMode.Implicit, " (or -X-)"),
        ("pop3", Protocol.Pop3, TlsMode.StartTls, ""), ("pop3s", Protocol.Pop3, TlsMode.Implicit, " (or -B-)"),
        ("ctrl", Protocol.Ctrl, TlsMode.StartTls, ""), ("ctrls", Protocol.Ctrl, TlsMode.Implicit, " (or -W-)"),
    ];

    /// <summary>One item per named listener (on, off, failed, unavailable) and per extra endpoint, then the
    /// STARTTLS / STLS / CTRL-TLS switches.</summary>
    public static IReadOnlyList<DiagnosticItem> Listeners(IReadOnlyList<EndpointSettings> configured, ListenerState state,
        bool smtpStartTls, bool pop3Stls, bool ctrlTls)
    {
        var items = new List<DiagnosticItem>();
        foreach (var (name, protocol, tls, sw) in Named)
        {
            var e = configured.FirstOrDefault(c => c.Name == name);
            items.Add(e is null
                ? DiagnosticItem.Warn(AreaListeners, name, $"off (jdmail.listeners.{name}.enabled = false{sw}): clients of {Upper(protocol)} {Mode(tls)} cannot connect. Set jdmail.listeners.{name}.enabled = true{(sw.Length > 0 ? $" and start without {sw.Trim(' ', '(', ')')[3..]}" : "")} if they should.")
                : Endpoint(e, state));
        }
        foreach (var e in configured.Where(c => !Named.Any(n => n.Name == c.Name)))
            items.Add(Endpoint(e, state));

        items.Add(Upgrade("starttls", "STARTTLS", Protocol.Smtp, smtpStartTls, "jdmail.smtp.enable-starttls", configured));
        items.Add(Upgrade("stls", "STLS", Protocol.Pop3, pop3Stls, "jdmail.pop3.enable-stls", configured));
        items.Add(Upgrade("ctrl-tls", "#!TLS", Protocol.Ctrl, ctrlTls, "jdmail.ctrl.enable-tls", configured));
        return items;
    }

    private static DiagnosticItem Endpoint(EndpointSettings e, ListenerState state)
    {
        var what = $"{Upper(e.Protocol)} {Mode(e.Tls)}";
        if (!state.Running) return DiagnosticItem.Ok(AreaListeners, e.Name, $"configured: {what} on {e.Address}:{e.Port} (no server running)");
        if (state.Bound.FirstOrDefault(b => b.Endpoint.Name == e.Name) is { } bound)
        {
            return e.Tls == TlsMode.None
                ? DiagnosticItem.Warn(AreaListeners, e.Name, $"listening on {bound.BoundTo} without TLS: passwords and mail travel in clear. Use tls = starttls unless this endpoint must stay plain.")
                : DiagnosticItem.Ok(AreaListeners, e.Name, $"listening on {bound.BoundTo}, {what}");
        }
        if (state.Failed.FirstOrDefault(f => f.Endpoint.Name == e.Name) is { } failed)
            return DiagnosticItem.Fail(AreaListeners, e.Name, $"cannot listen on {e.Address}:{e.Port}: {failed.Reason}. Free the port or change jdmail.listeners.{e.Name} and restart.");
        return state.Complete
            ? DiagnosticItem.Warn(AreaListeners, e.Name, $"configured ({what} on {e.Address}:{e.Port}) but not listening: {Upper(e.Protocol)} is not available in this build or the server did not open it; see the server log. Disable it (jdmail.listeners.{e.Name}.enabled = false) if it is not wanted.")
            : DiagnosticItem.Warn(AreaListeners, e.Name, $"not listening yet ({what} on {e.Address}:{e.Port}): the server is still starting. Ask again in a moment.");
    }

    private static DiagnosticItem Upgrade(string item, string verb, Protocol protocol, bool enabled, string key, IReadOnlyList<EndpointSettings> configured)
    {
        var endpoints = configured.Where(c => c.Protocol == protocol && c.Tls == TlsMode.StartTls).Select(c => c.Name).ToList();
        if (endpoints.Count == 0) return DiagnosticItem.Ok(AreaListeners, item, $"no {Upper(protocol)} endpoint that upgrades with {verb} is configured");
        return enabled
            ? DiagnosticItem.Ok(AreaListeners, item, $"{verb} offered on {string.Join(", ", endpoints)}")
            : DiagnosticItem.Warn(AreaListeners, item, $"{verb} is off ({key} = false), so {string.Join(", ", endpoints)} cannot upgrade to TLS and stay in clear. Set {key} = true.");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /// <summary>Validity of the first certificate and the expiry of every certificate in <paramref name="chain"/>:
    /// FAIL not yet valid, expired or within 1 day; WARN within 7, 14 or 30 days.</summary>
    public static DiagnosticItem Validity(string area, string item, string what, IReadOnlyList<BcX509> chain, DateTime nowUtc, string fix)
    {
        var leaf = chain[0];
        var notBefore = leaf.NotBefore.ToUniversalTime();
        if (nowUtc < notBefore)
            return DiagnosticItem.Fail(area, item, $"{what} is not valid before {MailRootView.Time(notBefore)}. Check the system clock, or {Lower(fix)}");
        var first = chain.Select((c, i) => (Cert: c, Index: i)).OrderBy(c => c.Cert.NotAfter).First();
        var end = first.Cert.NotAfter.ToUniversalTime();
        var whose = first.Index == 0 ? what : $"{what}: chain certificate {first.Cert.SubjectDN}";
        var left = end - nowUtc;
        if (left <= TimeSpan.Zero) return DiagnosticItem.Fail(area, item, $"{whose} expired {MailRootView.Time(end)}. {fix}");
        if (left <= TimeSpan.FromDays(1)) return DiagnosticItem.Fail(area, item, $"{whose} expires within 1 day ({MailRootView.Time(end)}). {fix}");
        foreach (var days in WarnDays)
            if (left <= TimeSpan.FromDays(days))
                return DiagnosticItem.Warn(area, item, $"{whose} expires within {days} days ({MailRootView.Time(end)}, {(int)left.TotalDays} day(s) left). {fix}");
        return DiagnosticItem.Ok(area, item, $"{what} valid until {MailRootView.Time(end)} ({(int)left.TotalDays} days left)");
    }

    /// <summary>The certificates of a PEM file, or null with one sentence saying what is wrong and how to fix it.</summary>
    private static IReadOnlyList<BcX509>? ReadCertFile(string file, out string? problem)
    {
        var name = Path.GetFileName(file);
        problem = null;
        try
        {
            if (!File.Exists(file))
            {
                problem = name == "server.cert"
                    ? $"{file} is missing, so TLS cannot start. Install a certificate (CTRL certinstall <id>, or certserver ... install 1)."
                    : $"{file} is missing.";
                return null;
            }
            var certs = PemCodec.ReadCertificates(File.ReadAllText(file));
            if (certs.Count > 0) return certs;
            problem = $"{file} holds no PEM certificate. Install a certificate (CTRL certinstall <id>).";
        }
        catch (UnauthorizedAccessException)
        {
            problem = $"{file} cannot be read by this process. Give the JdMail user read access (chown/chmod).";
        }
        catch (Exception e) when (e is IOException or PkiException)
        {
            problem = $"{file} cannot be read ({e.Message}). Install the certificate again (CTRL certinstall <id>).";
        }
        return null;
    }

    private static AsymmetricKeyParameter? ReadKeyFile(string file, out string? problem)
    {
        problem = null;
        try
        {
            if (!File.Exists(file))
            {
                problem = $"{file} is missing, so no new TLS connection can use server.cert. Install a certificate with its key (CTRL certinstall <id>) or restore server.key.";
                return null;
            }
            var text = File.ReadAllText(file);
            if (text.Contains("ENCRYPTED", StringComparison.Ordinal))
            {
                problem = $"{file} is encrypted; TLS needs it unencrypted. Write it as unencrypted PKCS#8 with mode 0600 (openssl pkey -in {file} -out {file}).";
                return null;
            }
            return KeyMaterial.ReadPrivateKeyPem(text);
        }
        catch (UnauthorizedAccessException)
        {
            problem = $"{file} cannot be read by this process. Make the JdMail user its owner (chown) with mode 0600.";
        }
        catch (Exception e) when (e is IOException or PkiException)
        {
            problem = $"{file} holds no usable private key ({e.Message}). Install a certificate with its key (CTRL certinstall <id>).";
        }
        return null;
    }

    private static string KeyLabel(AsymmetricKeyParameter key) => key switch
    {
        RsaKeyParameters rsa => $"RSA {rsa.Modulus.BitLength}-bit",
        ECPrivateKeyParameters ec => $"EC P-{ec.Parameters.Curve.FieldSize}",
        _ => key.GetType().Name,
    };

    private static bool Verifies(BcX509 cert, BcX509 issuer)
    {
        try { cert.Verify(issuer.GetPublicKey()); return true; }
        catch (Exception e) when (e is Org.BouncyCastle.Security.GeneralSecurityException or Org.BouncyCastle.Security.InvalidKeyException
            or Org.BouncyCastle.Security.Certificates.CertificateException or ArgumentException or Org.BouncyCastle.Crypto.CryptoException) { return false; }
    }

    /// <summary>Follows issuer names and signatures from the leaf through server.cert's chain to one of
    /// <paramref name="known"/>, ignoring dates; the known CA reached, or null.</summary>
    private static BcX509? SignaturePathRoot(BcX509 leaf, IReadOnlyList<BcX509> chain, IReadOnlyList<BcX509> known)
    {
        var current = leaf;
        for (var depth = 0; depth < 10; depth++)
        {
            if (known.FirstOrDefault(k => k.SubjectDN.Equivalent(current.IssuerDN, true) && Verifies(current, k)) is { } root) return root;
            var next = chain.Skip(1).FirstOrDefault(c => !c.Equals(current) && c.SubjectDN.Equivalent(current.IssuerDN, true) && Verifies(current, c));
            if (next is null) return null;
            current = next;
        }
        return null;
    }

    private static DateTime Clamp(DateTime t, DateTime min, DateTime max) => t < min ? min : t > max ? max : t;

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    private static string OnOff(bool b) => b ? "on" : "off";

    private static string Upper(Protocol p) => p.ToString().ToUpperInvariant();

    private static string Lower(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];

    private static string Mode(TlsMode t) => t switch
    {
        TlsMode.Implicit => "implicit TLS",
        TlsMode.StartTls => "with TLS upgrade",
        _ => "without TLS",
    };
}
