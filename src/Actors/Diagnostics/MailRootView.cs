using System.Globalization;
using JdMail.Actors.Settings;
using JdMail.Pki;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Actors.Diagnostics;

/// <summary>
/// What the diagnostics know of the CA: the current private CA, the CAs still trusted, and the CA's own list of
/// problems. From the <see cref="Ca.CertificateAuthorityActor"/>'s status when the server runs (<see cref="FromJournal"/>),
/// or read from <c>sslconf/</c> when it does not (the newest CA folder is taken as the current one).
/// </summary>
public sealed record CaView(string? CurrentCaId, IReadOnlyList<string> TrustedCaIds, IReadOnlyList<string>? Problems, bool FromJournal)
{
    public static CaView FromStatus(Ca.CaStatusResult s) => new(s.CurrentCaId, s.TrustedCaIds, s.Problems.Concat(s.Warnings).ToList(), true);

    public static CaView FromDisk(MailRootPaths paths)
    {
        var cas = MailRootView.CaFolders(paths);
        var current = cas.OrderByDescending(c => c.Created).ThenBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault();
        return new CaView(current?.Id, cas.Select(c => c.Id).ToList(), null, false);
    }
}

/// <summary>Small readers of MailRoot files shared by the checks and the probe. None of them throws for a bad file.</summary>
public static class MailRootView
{
    public sealed record CaFolder(string Id, DateTime Created);

    /// <summary>Folders of <c>sslconf/</c> whose profile.tab says <c>type ca</c> (hidden work folders excluded).</summary>
    public static IReadOnlyList<CaFolder> CaFolders(MailRootPaths paths)
    {
        if (!System.IO.Directory.Exists(paths.SslConf)) return [];
        var list = new List<CaFolder>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories(paths.SslConf))
        {
            var id = Path.GetFileName(dir);
            if (id.StartsWith('.')) continue;
            var profile = Profile(Path.Combine(dir, "profile.tab"));
            if (!profile.TryGetValue("type", out var type) || type != "ca") continue;
            var created = profile.TryGetValue("created", out var c) && DateTime.TryParse(c, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : DateTime.MinValue;
            list.Add(new CaFolder(id, created));
        }
        return list;
    }

    /// <summary>XMail tab format rows <c>"name"TAB"value"</c>.</summary>
    public static Dictionary<string, string> Profile(string file)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(file)) return d;
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split('\t');
                if (parts.Length >= 2) d[parts[0].Trim('"')] = parts[1].Trim('"').Replace("\\\"", "\"");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return d;
    }

    /// <summary>Every CA certificate we know: each CA folder's cert.pem, then certs.pem.</summary>
    public static IReadOnlyList<(string Id, BcX509 Cert)> KnownCas(MailRootPaths paths)
    {
        var list = new List<(string, BcX509)>();
        foreach (var ca in CaFolders(paths))
            if (FirstCert(Path.Combine(paths.SslConf, ca.Id, "cert.pem")) is { } cert) list.Add((ca.Id, cert));
        foreach (var cert in Certs(paths.CertsPem).Where(c => c.GetBasicConstraints() >= 0))
            if (!list.Any(l => l.Item2.Equals(cert))) list.Add(("certs.pem", cert));
        return list;
    }

    public static BcX509? FirstCert(string file) => Certs(file).FirstOrDefault();

    public static IReadOnlyList<BcX509> Certs(string file)
    {
        try { return File.Exists(file) ? PemCodec.ReadCertificates(File.ReadAllText(file)) : []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException) { return []; }
    }

    /// <summary>SHA-256 of the leaf in server.cert, upper-case hex, or null.</summary>
    public static string? ServerCertSha256(MailRootPaths paths) =>
        FirstCert(paths.ServerCert) is { } leaf ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(leaf.GetEncoded())) : null;

    public static string Time(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
