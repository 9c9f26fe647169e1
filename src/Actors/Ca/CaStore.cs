using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using JdMail.Actors.Settings;
using JdMail.Actors.Spool;
using JdMail.Pki;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Actors.Ca;

/// <summary>
/// The CA's files in the MailRoot: one folder per item in <c>sslconf/&lt;id&gt;/</c> (written in a hidden temporary
/// folder, fsync'd, then renamed into place, so an item folder is either complete or absent), the trust files
/// <c>certs.pem</c> and <c>certs/</c>, and <c>server.cert</c>/<c>server.key</c>. Every file goes through
/// <see cref="Durable"/>; private keys are 0600. Used by one operation at a time.
/// </summary>
public sealed partial class CaStore
{
    public const string CertFile = "cert.pem", KeyFile = "key.pem", ChainFile = "chain.pem", CsrFile = "csr.pem",
        P12File = "cert.p12", CrlFile = "crl.pem", ProfileFile = "profile.tab";

    private readonly ConcurrentDictionary<string, (BcX509 Cert, AsymmetricKeyParameter Key)> _caKeys = new(StringComparer.Ordinal);

    public CaStore(MailRootPaths paths, CaSettings settings)
    {
        Paths = paths;
        Settings = settings;
    }

    public MailRootPaths Paths { get; }
    public CaSettings Settings { get; }

    public string Dir(string id) => Path.Combine(Paths.SslConf, id);
    public string FileOf(string id, string name) => Path.Combine(Dir(id), name);

    /// <summary>One file of a new item folder.</summary>
    public sealed record NewFile(string Name, byte[] Content, bool Private = false)
    {
        public static NewFile Text(string name, string text, bool isPrivate = false) => new(name, Encoding.UTF8.GetBytes(text), isPrivate);
    }

    /// <summary>Writes a complete item folder: files into <c>sslconf/.new-&lt;id&gt;-*</c>, each fsync'd, then the folder is
    /// renamed to <c>sslconf/&lt;id&gt;</c>. A folder left by an operation that never reached the journal is replaced.</summary>
    public void CreateItemFolder(string id, IEnumerable<NewFile> files)
    {
        System.IO.Directory.CreateDirectory(Paths.SslConf);
        var temp = Path.Combine(Paths.SslConf, $".new-{id}-{Guid.NewGuid():N}");
        try
        {
            System.IO.Directory.CreateDirectory(temp);
            foreach (var f in files)
                Durable.WriteAllBytes(Path.Combine(temp, f.Name), f.Content, f.Private ? Durable.PrivateFile : null);
            var final = Dir(id);
            if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
            System.IO.Directory.Move(temp, final);
            Durable.SyncDirectory(Paths.SslConf);
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
    }

    /// <summary>Removes an item folder (undo of <see cref="CreateItemFolder"/>).</summary>
    public void RemoveItemFolder(string id)
    {
        TryDeleteFolder(Dir(id));
        Durable.SyncDirectory(Paths.SslConf);
        _caKeys.TryRemove(id, out _);
    }

    /// <summary>Moves an item folder aside before its deletion is journaled; returns the hidden name.</summary>
    public string MoveAside(string id)
    {
        var aside = Path.Combine(Paths.SslConf, $".deleted-{id}-{Guid.NewGuid():N}");
        if (!System.IO.Directory.Exists(Dir(id))) return aside;
        System.IO.Directory.Move(Dir(id), aside);
        Durable.SyncDirectory(Paths.SslConf);
        _caKeys.TryRemove(id, out _);
        return aside;
    }

    /// <summary>Puts a folder moved aside back (the deletion was not journaled).</summary>
    public void MoveBack(string id, string aside)
    {
        if (!System.IO.Directory.Exists(aside)) return;
        System.IO.Directory.Move(aside, Dir(id));
        Durable.SyncDirectory(Paths.SslConf);
    }

    /// <summary>Removes hidden folders left by operations interrupted by a crash.</summary>
    public void CleanLeftovers()
    {
        if (!System.IO.Directory.Exists(Paths.SslConf)) return;
        foreach (var d in System.IO.Directory.EnumerateDirectories(Paths.SslConf, ".*"))
            TryDeleteFolder(d);
    }

    public static void TryDeleteFolder(string dir)
    {
        try { if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true); }
        catch (IOException) { /* reported by the file check */ }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Writes one file of an existing item; returns the undo (restore or remove).</summary>
    public Action WriteItemFile(string id, string name, string text, bool isPrivate = false)
    {
        var path = FileOf(id, name);
        var old = File.Exists(path) ? File.ReadAllBytes(path) : null;
        Durable.WriteAllText(path, text, isPrivate ? Durable.PrivateFile : null);
        return () =>
        {
            if (old is null) File.Delete(path);
            else Durable.WriteAllBytes(path, old, isPrivate ? Durable.PrivateFile : null);
        };
    }

    /// <summary>The files an item must have on disk.</summary>
    public static IReadOnlyList<string> ExpectedFiles(CaItem item) => item.Kind switch
    {
        CaKinds.Ca => [CertFile, KeyFile],
        CaKinds.Server or CaKinds.SelfSigned => [CertFile, KeyFile, ChainFile],
        CaKinds.Client => [CertFile, ChainFile, P12File],
        CaKinds.Public when item.Status == CaStatuses.Requested => [KeyFile, CsrFile],
        CaKinds.Public => [KeyFile, CsrFile, CertFile, ChainFile],
        _ => [],
    };

    /// <summary>Files the state expects but the disk lacks, one sentence each. Never throws.</summary>
    public IReadOnlyList<string> Problems(CaState state)
    {
        var problems = new List<string>();
        foreach (var item in state.Ordered())
        {
            var missing = ExpectedFiles(item).Where(f => !File.Exists(FileOf(item.Id, f))).ToList();
            if (missing.Count > 0)
                problems.Add($"{item.Id}: missing {string.Join(", ", missing)} in {Dir(item.Id)}; restore them from a backup or delete the item.");
        }
        foreach (var ca in state.TrustedCaIds.Where(id => state.Crls.ContainsKey(id) && !File.Exists(FileOf(id, CrlFile))))
            problems.Add($"{ca}: the CRL file {FileOf(ca, CrlFile)} is missing; it is reissued with the next CRL.");
        return problems;
    }

    /// <summary>The CA certificate and key of <paramref name="id"/>, decrypted once and cached. A clear key file is
    /// encrypted in place when a passphrase is configured.</summary>
    public (BcX509 Cert, AsymmetricKeyParameter Key) LoadCa(string id)
    {
        if (_caKeys.TryGetValue(id, out var cached)) return cached;
        var cert = PemCodec.ReadCertificates(File.ReadAllText(FileOf(id, CertFile))).FirstOrDefault()
            ?? throw new PkiException($"{FileOf(id, CertFile)} holds no certificate.");
        var keyText = File.ReadAllText(FileOf(id, KeyFile));
        var key = KeyMaterial.ReadPrivateKeyPem(keyText, keyText.Contains("ENCRYPTED") ? Settings.Passphrase ?? "" : null);
        if (!KeyMaterial.IsPair(cert, key)) throw new PkiException($"The key of CA {id} does not belong to its certificate.");
        if (Settings.Passphrase is { } pass && !keyText.Contains("ENCRYPTED"))
            Durable.WriteAllText(FileOf(id, KeyFile), KeyMaterial.PrivateKeyToEncryptedPem(key, pass), Durable.PrivateFile);
        _caKeys[id] = (cert, key);
        return (cert, key);
    }

    /// <summary>The CA key PEM as stored: encrypted when a passphrase is configured.</summary>
    public string CaKeyPem(AsymmetricKeyParameter key) => Settings.Passphrase is { } pass
        ? KeyMaterial.PrivateKeyToEncryptedPem(key, pass)
        : KeyMaterial.PrivateKeyToPem(key);

    public BcX509? TryReadCert(string id)
    {
        try { return PemCodec.ReadCertificates(File.ReadAllText(FileOf(id, CertFile))).FirstOrDefault(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException) { return null; }
    }

    public X509Crl? TryReadCrl(string id)
    {
        try { return File.Exists(FileOf(id, CrlFile)) ? PemCodec.ReadCrlAny(File.ReadAllBytes(FileOf(id, CrlFile))) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException) { return null; }
    }

    /// <summary>
    /// Rewrites <c>certs.pem</c> (every trusted CA) and <c>certs/</c> (the CAs as <c>hhhhhhhh.N</c> and their CRLs as
    /// <c>hhhhhhhh.rN</c>, the names <c>openssl rehash</c> gives a folder holding <c>&lt;id&gt;.pem</c> and
    /// <c>&lt;id&gt;.crl</c>: files are taken in name order, so collisions number the same way). Stale hash files are
    /// removed. A CA whose files are missing is left out (and reported by <see cref="Problems"/>).
    /// </summary>
    public void WriteTrust(CaState state)
    {
        var cas = state.TrustedCaIds.OrderBy(id => id + ".pem", StringComparer.Ordinal)
            .Select(id => TryReadCert(id)).OfType<BcX509>().ToList();
        var crls = state.TrustedCaIds.OrderBy(id => id + ".crl", StringComparer.Ordinal)
            .Select(id => TryReadCrl(id)).OfType<X509Crl>().ToList();
        if (cas.Count == 0) return;
        Durable.WriteAllText(Paths.CertsPem, PemCodec.ToPem(cas));
        System.IO.Directory.CreateDirectory(Paths.CertsDir);
        var files = HashedDirectory.Names(cas, crls);
        foreach (var f in files)
        {
            var text = f.Certificate is not null ? PemCodec.ToPem(f.Certificate) : PemCodec.ToPem(f.Crl!);
            var path = Path.Combine(Paths.CertsDir, f.FileName);
            if (!File.Exists(path) || File.ReadAllText(path) != text) Durable.WriteAllText(path, text);
        }
        var keep = files.Select(f => f.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in System.IO.Directory.EnumerateFiles(Paths.CertsDir)
                     .Where(p => HashName().IsMatch(Path.GetFileName(p)) && !keep.Contains(Path.GetFileName(p))))
            File.Delete(stale);
        Durable.SyncDirectory(Paths.CertsDir);
    }

    /// <summary>
    /// Writes <c>server.key</c> then <c>server.cert</c> (leaf + chain) from item <paramref name="id"/>, key first so a
    /// reader that sees the new certificate also finds its key. Returns the undo, which restores the previous files.
    /// </summary>
    public Action Install(string id)
    {
        var chainPem = File.ReadAllText(FileOf(id, ChainFile));
        var keyPem = File.ReadAllText(FileOf(id, KeyFile));
        var chain = PemCodec.ReadCertificates(chainPem);
        var key = KeyMaterial.ReadPrivateKeyPem(keyPem);
        if (chain.Count == 0 || !KeyMaterial.IsPair(chain[0], key))
            throw new PkiException($"The key and certificate of {id} do not pair; it cannot be installed.");
        var oldKey = File.Exists(Paths.ServerKey) ? File.ReadAllBytes(Paths.ServerKey) : null;
        var oldCert = File.Exists(Paths.ServerCert) ? File.ReadAllBytes(Paths.ServerCert) : null;
        Durable.WriteAllText(Paths.ServerKey, KeyMaterial.PrivateKeyToPem(key), Durable.PrivateFile);
        Durable.WriteAllText(Paths.ServerCert, PemCodec.ToPem(chain));
        return () =>
        {
            if (oldKey is not null) Durable.WriteAllBytes(Paths.ServerKey, oldKey, Durable.PrivateFile);
            if (oldCert is not null) Durable.WriteAllBytes(Paths.ServerCert, oldCert);
        };
    }

    /// <summary><c>profile.tab</c> of an item (XMail tab format), the fields a form can start from again.</summary>
    public static string ProfileTab(CaItem i) => FirstStartPki.ProfileTab(
        ("id", i.Id), ("type", i.Kind), ("c", i.Country), ("st", i.State), ("l", i.Locality), ("o", i.Organization),
        ("ou", i.Unit), ("cn", i.CommonName), ("email", i.Email), ("san", i.Names), ("keyspec", i.KeySpec),
        ("days", i.Days.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("note", i.Note),
        ("created", DateTimeOffset.FromUnixTimeSeconds(i.Created).UtcDateTime.ToString("O")), ("serial", i.Serial),
        ("issuer", i.IssuerId), ("sha256", i.Sha256), ("p12profile", i.P12Profile));

    [GeneratedRegex("^[0-9a-f]{8}\\.r?[0-9]+$")]
    private static partial Regex HashName();
}
