using System.Security.Cryptography.X509Certificates;
using JdMail.Actors.Settings;
using JdMail.Pki;
using Org.BouncyCastle.X509;

namespace JdMail.Actors.Tls;

/// <summary>
/// What client certificates are checked against: trust anchors from <c>certs.pem</c> and/or <c>certs/</c>
/// (XMail SSLUseCertsFile / SSLUseCertsDir), and the revoked serials of every CRL our CA published
/// (<c>sslconf/&lt;ca&gt;/crl.pem</c>, each accepted only when it verifies against that CA's certificate).
/// Re-read when any of those files changes.
/// </summary>
public sealed class TrustMaterial
{
    private readonly MailRootPaths _paths;
    private readonly object _gate = new();
    private string _stamp = "";
    private Snapshot _current = new([], new Dictionary<string, HashSet<string>>(), []);

    /// <param name="Revoked">Key: issuer name (DER, hex); value: revoked serials (lower-case hex, no leading zeros).</param>
    public sealed record Snapshot(X509Certificate2Collection Anchors, IReadOnlyDictionary<string, HashSet<string>> Revoked,
        IReadOnlyList<string> Problems);

    public TrustMaterial(MailRootPaths paths) => _paths = paths;

    public Snapshot Current(ClientCertificateSettings settings)
    {
        var stamp = Stamp(settings);
        lock (_gate)
        {
            if (stamp == _stamp) return _current;
            _current = Load(settings);
            _stamp = stamp;
            return _current;
        }
    }

    public static string SerialKey(ReadOnlySpan<byte> bigEndianSerial)
    {
        var hex = Convert.ToHexString(bigEndianSerial).ToLowerInvariant().TrimStart('0');
        return hex.Length == 0 ? "0" : hex;
    }

    public static string NameKey(X500DistinguishedName name) => Convert.ToHexString(name.RawData);

    private Snapshot Load(ClientCertificateSettings settings)
    {
        var anchors = new X509Certificate2Collection();
        var problems = new List<string>();
        if (settings.UseCertsFile)
        {
            try { if (File.Exists(_paths.CertsPem)) anchors.ImportFromPemFile(_paths.CertsPem); else problems.Add("certs.pem is missing"); }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException) { problems.Add($"certs.pem unreadable: {e.Message}"); }
        }
        if (settings.UseCertsDir)
        {
            if (!System.IO.Directory.Exists(_paths.CertsDir)) problems.Add("certs/ is missing");
            else
                foreach (var f in System.IO.Directory.EnumerateFiles(_paths.CertsDir).Where(f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^[0-9a-f]{8}\.\d+$")))
                {
                    try { anchors.ImportFromPemFile(f); }
                    catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException) { problems.Add($"{Path.GetFileName(f)} unreadable: {e.Message}"); }
                }
        }
        var revoked = new Dictionary<string, HashSet<string>>();
        if (settings.CheckRevocation && System.IO.Directory.Exists(_paths.SslConf))
        {
            foreach (var dir in System.IO.Directory.EnumerateDirectories(_paths.SslConf))
            {
                var crlFile = Path.Combine(dir, "crl.pem");
                var caFile = Path.Combine(dir, "cert.pem");
                if (!File.Exists(crlFile) || !File.Exists(caFile)) continue;
                try
                {
                    var crl = PemCodec.ReadCrlAny(File.ReadAllBytes(crlFile));
                    var ca = PemCodec.ReadCertificates(File.ReadAllText(caFile))[0];
                    if (!Crls.IsSignedBy(crl, ca)) { problems.Add($"{Path.GetFileName(dir)}/crl.pem is not signed by its CA"); continue; }
                    var issuer = Convert.ToHexString(crl.IssuerDN.GetEncoded());
                    if (!revoked.TryGetValue(issuer, out var set)) revoked[issuer] = set = [];
                    foreach (var serial in Crls.RevokedSerials(crl)) set.Add(SerialKey(serial.ToByteArrayUnsigned()));
                }
                catch (Exception e) when (e is IOException or PkiException or ArgumentException or InvalidOperationException)
                {
                    problems.Add($"{Path.GetFileName(dir)}/crl.pem unreadable: {e.Message}");
                }
            }
        }
        return new Snapshot(anchors, revoked, problems);
    }

    private string Stamp(ClientCertificateSettings s)
    {
        static string Of(string path) => File.Exists(path) ? $"{path}:{File.GetLastWriteTimeUtc(path).Ticks}:{new FileInfo(path).Length};" :
            System.IO.Directory.Exists(path) ? $"{path}:{System.IO.Directory.GetLastWriteTimeUtc(path).Ticks};" : $"{path}:-;";
        var sb = new System.Text.StringBuilder($"{s.UseCertsFile}{s.UseCertsDir}{s.CheckRevocation};");
        if (s.UseCertsFile) sb.Append(Of(_paths.CertsPem));
        if (s.UseCertsDir)
        {
            sb.Append(Of(_paths.CertsDir));
            if (System.IO.Directory.Exists(_paths.CertsDir)) foreach (var f in System.IO.Directory.EnumerateFiles(_paths.CertsDir).Order()) sb.Append(Of(f));
        }
        if (s.CheckRevocation && System.IO.Directory.Exists(_paths.SslConf))
            foreach (var d in System.IO.Directory.EnumerateDirectories(_paths.SslConf).Order()) sb.Append(Of(Path.Combine(d, "crl.pem")));
        return sb.ToString();
    }
}
