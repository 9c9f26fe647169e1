using JdMail.Actors.Settings;
using JdMail.Actors.Spool;
using JdMail.Pki;
using Org.BouncyCastle.Security;

namespace JdMail.Actors.Ca;

/// <summary>What the first start made, for the log.</summary>
public sealed record FirstStartResult(bool CaCreated, bool ServerCertificateIssued, string CaSubject, string ServerSubject);

/// <summary>
/// First start of an empty MailRoot: a private CA, a server certificate it signs for the configured names, and the
/// CA in <c>certs.pem</c> and <c>certs/</c>. Never overwrites: a CA or server certificate already present is kept.
/// Files are written temp-then-rename with fsync; private keys are created 0600.
/// </summary>
public static class FirstStartPki
{
    public const string CaFolder = "ca";
    public const string FirstServerFolder = "server-bootstrap";

    /// <param name="caKeyPassphrase">When set (<c>jdmail.ca.key-passphrase</c>), the CA key is written encrypted (PBES2, AES-256).</param>
    public static FirstStartResult Ensure(JdMailSettings settings, DateTime nowUtc, string? caKeyPassphrase = null)
    {
        var paths = new MailRootPaths(settings.MailRoot);
        var b = settings.Bootstrap;
        var spec = KeySpec.Parse(b.KeyType);
        var caDir = Path.Combine(paths.SslConf, CaFolder);
        var caCertPath = Path.Combine(caDir, "cert.pem");
        var caKeyPath = Path.Combine(caDir, "key.pem");
        var random = new SecureRandom();

        var caCreated = false;
        if (!File.Exists(caCertPath) || !File.Exists(caKeyPath))
        {
            if (File.Exists(caCertPath) != File.Exists(caKeyPath))
                throw new InvalidOperationException($"{caDir} holds only half of the CA (certificate or key missing); restore it or remove the folder");
            var key = KeyMaterial.Generate(spec, random);
            var subject = new SubjectFields(Organization: b.Organization, CommonName: $"{b.Organization} Private CA ({settings.HostName})");
            var ca = Certificates.CreateCa(subject, key, b.CaDays, nowUtc);
            Durable.WriteAllText(caKeyPath, string.IsNullOrEmpty(caKeyPassphrase)
                ? KeyMaterial.PrivateKeyToPem(key.Private)
                : KeyMaterial.PrivateKeyToEncryptedPem(key.Private, caKeyPassphrase), Durable.PrivateFile);
            Durable.WriteAllText(caCertPath, PemCodec.ToPem(ca));
            Durable.WriteAllText(Path.Combine(caDir, "profile.tab"), ProfileTab(
                ("id", CaFolder), ("type", "ca"), ("o", b.Organization), ("cn", subject.CommonName!), ("keyspec", spec.Name),
                ("days", b.CaDays.ToString()), ("created", nowUtc.ToString("O")), ("note", "created on first start")));
            caCreated = true;
        }
        var caCert = PemCodec.ReadCertificates(File.ReadAllText(caCertPath))[0];
        var caKeyText = File.ReadAllText(caKeyPath);
        var caKey = KeyMaterial.ReadPrivateKeyPem(caKeyText, caKeyText.Contains("ENCRYPTED") ? caKeyPassphrase ?? "" : null);

        var issued = false;
        string serverSubject;
        // Only a MailRoot that never had a server certificate gets one here. A later loss of server.cert or
        // server.key is for the administrator to repair (diagnostics say how): issuing one silently would put a
        // certificate in service that the CA's journal does not know and so could never revoke.
        var neverBootstrapped = !System.IO.Directory.Exists(Path.Combine(paths.SslConf, FirstServerFolder));
        if (neverBootstrapped && !File.Exists(paths.ServerCert) && !File.Exists(paths.ServerKey))
        {
            var names = new List<string> { settings.HostName };
            names.AddRange(b.ServerNames.Where(n => !names.Contains(n, StringComparer.OrdinalIgnoreCase)));
            var key = KeyMaterial.Generate(spec, random);
            var subject = new SubjectFields(Organization: b.Organization, CommonName: settings.HostName);
            var leaf = Certificates.IssueServer(caCert, caKey, subject, names, key.Public, b.ServerDays, nowUtc);
            var dir = Path.Combine(paths.SslConf, FirstServerFolder);
            var keyPem = KeyMaterial.PrivateKeyToPem(key.Private);
            var chainPem = PemCodec.ToPem([leaf, caCert]);
            Durable.WriteAllText(Path.Combine(dir, "key.pem"), keyPem, Durable.PrivateFile);
            Durable.WriteAllText(Path.Combine(dir, "cert.pem"), PemCodec.ToPem(leaf));
            Durable.WriteAllText(Path.Combine(dir, "chain.pem"), chainPem);
            Durable.WriteAllText(Path.Combine(dir, "profile.tab"), ProfileTab(
                ("id", FirstServerFolder), ("type", "server"), ("o", b.Organization), ("cn", settings.HostName),
                ("san", string.Join(",", names)), ("keyspec", spec.Name), ("days", b.ServerDays.ToString()),
                ("created", nowUtc.ToString("O")), ("note", "issued on first start")));
            // Key first: a reader that sees the new certificate must also find its key.
            Durable.WriteAllText(paths.ServerKey, keyPem, Durable.PrivateFile);
            Durable.WriteAllText(paths.ServerCert, chainPem);
            issued = true;
            serverSubject = leaf.SubjectDN.ToString();
        }
        else
        {
            try { serverSubject = PemCodec.ReadCertificates(File.ReadAllText(paths.ServerCert)).FirstOrDefault()?.SubjectDN.ToString() ?? "(no certificate)"; }
            catch (Exception e) when (e is IOException or PkiException) { serverSubject = $"(unusable: {e.Message})"; }
        }

        // Trust files for client-certificate verification (XMail SSLUseCertsFile / SSLUseCertsDir).
        if (!File.Exists(paths.CertsPem)) Durable.WriteAllText(paths.CertsPem, PemCodec.ToPem(caCert));
        if (!System.IO.Directory.Exists(paths.CertsDir) || !System.IO.Directory.EnumerateFileSystemEntries(paths.CertsDir).Any())
        {
            foreach (var f in HashedDirectory.Names([caCert]))
                Durable.WriteAllText(Path.Combine(paths.CertsDir, f.FileName), PemCodec.ToPem(caCert));
        }
        return new FirstStartResult(caCreated, issued, caCert.SubjectDN.ToString(), serverSubject);
    }

    /// <summary>XMail tab format: one <c>"name"TAB"value"</c> row per field.</summary>
    public static string ProfileTab(params (string Name, string Value)[] rows) =>
        string.Concat(rows.Select(r => $"\"{r.Name}\"\t\"{r.Value.Replace("\"", "\\\"")}\"\n"));
}
