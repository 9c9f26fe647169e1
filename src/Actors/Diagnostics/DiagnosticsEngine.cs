using System.Text;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Diagnostics;

/// <summary>
/// Runs the checks of <see cref="DiagnosticChecks"/> for one MailRoot and keeps their results. A group of checks is
/// re-run only when one of its files changed (modification time or size), the CA view changed, an event invalidated
/// it, or the hour turned (expiry thresholds are days); otherwise a request costs a few <c>stat</c> calls. Used by
/// the <see cref="DiagnosticsActor"/> inside the server and directly by <c>jdmail diag</c> on a MailRoot.
/// Not thread-safe: one caller at a time (the actor, or the command line).
/// </summary>
public sealed class DiagnosticsEngine
{
    private readonly JdMailSettings _settings;
    private readonly DiagnosticsSettings _diag;
    private readonly MailRootPaths _paths;
    private readonly Dictionary<string, (string Key, IReadOnlyList<DiagnosticItem> Items)> _cache = new(StringComparer.Ordinal);
    private (string? Key, CaView? View) _diskCa;

    public DiagnosticsEngine(JdMailSettings settings, DiagnosticsSettings diag)
    {
        _settings = settings;
        _diag = diag;
        _paths = new MailRootPaths(settings.MailRoot);
    }

    public MailRootPaths Paths => _paths;

    /// <summary>How many check groups were (re)computed so far; lets tests see that unchanged files are not re-read.</summary>
    public int Recomputed { get; private set; }

    /// <summary>Forgets every cached result (a CA notice arrived).</summary>
    public void Invalidate()
    {
        _cache.Clear();
        _diskCa = default;
    }

    /// <summary>Every item but the probe's. <paramref name="ca"/> null: read the CA from sslconf/.</summary>
    public IReadOnlyList<DiagnosticItem> Check(ListenerState listeners, CaView? journal, DateTime nowUtc)
    {
        var ca = journal;
        var sslconf = SslConfStamp();
        if (ca is null)
        {
            if (_diskCa.Key != sslconf) _diskCa = (sslconf, CaView.FromDisk(_paths));
            ca = _diskCa.View!;
        }
        var view = ca;
        var hour = nowUtc.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
        var caKey = $"{ca.CurrentCaId}|{string.Join(",", ca.TrustedCaIds)}|{string.Join("|", ca.Problems ?? [])}|{ca.FromJournal}|{hour}";
        var cc = _settings.Tls.ClientCerts;
        var items = new List<DiagnosticItem> { DiagnosticChecks.Library(TlsLibrary.Current) };
        items.AddRange(Cached("server", Stamp(_paths.ServerCert, _paths.ServerKey, _paths.CertsPem) + sslconf + caKey,
            () => DiagnosticChecks.ServerCertificate(_paths, _settings.HostName, view, nowUtc), out _));
        items.AddRange(Cached("ca", sslconf + caKey, () => DiagnosticChecks.CertificateAuthority(_paths, view, nowUtc), out _));
        items.AddRange(Cached("trust", Stamp(_paths.CertsPem) + DirStamp(_paths.CertsDir) + sslconf + caKey + cc,
            () => [.. DiagnosticChecks.TrustFiles(_paths, cc, view), DiagnosticChecks.ClientVerification(_paths, cc)], out _));
        items.AddRange(DiagnosticChecks.Listeners(_settings.Listeners.Endpoints, listeners,
            _settings.Smtp.EnableStartTls, _settings.Pop3.EnableStls, _diag.CtrlTlsEnabled));
        return items;
    }

    private IReadOnlyList<DiagnosticItem> Cached(string group, string key, Func<IReadOnlyList<DiagnosticItem>> compute, out bool fresh)
    {
        if (_cache.TryGetValue(group, out var hit) && hit.Key == key)
        {
            fresh = false;
            return hit.Items;
        }
        var items = compute();
        _cache[group] = (key, items);
        Recomputed++;
        fresh = true;
        return items;
    }

    private string SslConfStamp()
    {
        var sb = new StringBuilder(DirStamp(_paths.SslConf));
        if (System.IO.Directory.Exists(_paths.SslConf))
            foreach (var d in System.IO.Directory.EnumerateDirectories(_paths.SslConf).Order(StringComparer.Ordinal))
                sb.Append(Stamp(Path.Combine(d, "cert.pem"), Path.Combine(d, "key.pem"), Path.Combine(d, "crl.pem"), Path.Combine(d, "profile.tab")));
        return sb.ToString();
    }

    /// <summary>Name, modification time and size of each file ("-" when absent), and its mode (key permissions).</summary>
    private static string Stamp(params string[] files)
    {
        var sb = new StringBuilder();
        foreach (var f in files)
        {
            var i = new FileInfo(f);
            sb.Append(f).Append(':');
            if (!i.Exists) sb.Append("-;");
            else sb.Append(i.LastWriteTimeUtc.Ticks).Append(':').Append(i.Length).Append(':')
                   .Append(OperatingSystem.IsWindows() ? 0 : (int)i.UnixFileMode).Append(';');
        }
        return sb.ToString();
    }

    /// <summary>A folder and the stamps of the files in it.</summary>
    private static string DirStamp(string dir)
    {
        if (!System.IO.Directory.Exists(dir)) return dir + ":-;";
        return dir + ":" + System.IO.Directory.GetLastWriteTimeUtc(dir).Ticks + ";" +
               Stamp(System.IO.Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).ToArray());
    }
}
