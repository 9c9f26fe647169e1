namespace JdMail.Actors.Ca;

// The CA's protocol. Every command is answered with its ...Result or with CaRejected; queries never change state.
// Commands are executed one at a time (others wait in a stash), so a reply always reflects a journaled change.

/// <summary>Marker for commands that change the CA (journaled).</summary>
public interface ICaCommand;

/// <summary>
/// The fields of a certificate form (JDMail's menus). Null means "not given": with <paramref name="From"/> set, a
/// null field takes the value of that earlier item ("reuse earlier generation info"), otherwise a default.
/// </summary>
/// <param name="Names">Host names and IP addresses for subjectAltName (the common name is always added);
/// wildcards ("*.example.com") are allowed for server certificates.</param>
/// <param name="KeyType">ec256, ec384, rsa2048, rsa3072 or rsa4096.</param>
/// <param name="Days">Validity in days (defaults: CA 10000, server 397, client 365).</param>
public sealed record CertificateForm(string? CommonName = null, string? Country = null, string? State = null,
    string? Locality = null, string? Organization = null, string? Unit = null, string? Email = null,
    IReadOnlyList<string>? Names = null, string? KeyType = null, int? Days = null, string? Note = null,
    string? From = null);

/// <summary>Creates the private CA. With a CA already present <paramref name="Replace"/> must be true; the old CA then
/// stops issuing but stays trusted (<c>certs.pem</c>, <c>certs/</c>) until it is deleted.</summary>
public sealed record CreateCa(CertificateForm Form, bool Replace = false) : ICaCommand;

/// <summary>Public-CA mode: a new key and a CSR to hand to a public CA.</summary>
public sealed record RequestCertificate(CertificateForm Form) : ICaCommand;

/// <summary>Imports what the public CA returned for request <paramref name="Id"/> (PEM, leaf and chain in any order).</summary>
public sealed record ImportCertificate(string Id, string PemBundle) : ICaCommand;

/// <summary>Private mode: a key and a self-signed server certificate.</summary>
public sealed record IssueSelfSigned(CertificateForm Form, bool InstallNow = false) : ICaCommand;

/// <summary>A server certificate signed by the current private CA.</summary>
public sealed record IssueServerCertificate(CertificateForm Form, bool InstallNow = false) : ICaCommand;

/// <summary>A client (TLS client auth + S/MIME) certificate as .p12; <paramref name="P12Profile"/> "modern" or "legacy".</summary>
public sealed record IssueClientCertificate(CertificateForm Form, string P12Profile = "modern") : ICaCommand;

/// <summary>Writes item <paramref name="Id"/> to <c>server.key</c> and <c>server.cert</c> (leaf + chain).</summary>
public sealed record InstallCertificate(string Id) : ICaCommand;

/// <summary>Revokes item <paramref name="Id"/> and publishes a new CRL. <paramref name="Reason"/>: an RFC 5280 reason
/// name such as "keyCompromise", "superseded", "cessationOfOperation" (case and dashes ignored) or its number.</summary>
public sealed record RevokeCertificate(string Id, string Reason = "unspecified") : ICaCommand;

/// <summary>Deletes item <paramref name="Id"/> and its files. Public-CA items, the current CA and the installed
/// certificate are refused.</summary>
public sealed record DeleteCertificate(string Id) : ICaCommand;

/// <summary>Signs a new CRL now for CA <paramref name="CaId"/> (the current CA when null).</summary>
public sealed record PublishCrl(string? CaId = null) : ICaCommand;

// Queries.

/// <summary>Every item, oldest first.</summary>
public sealed record ListCertificates;

/// <summary>One item and a readable description of its certificate (or CSR).</summary>
public sealed record ShowCertificate(string Id);

/// <summary>The kinds of download.</summary>
public enum ArtefactKind { Cert, Chain, Key, Csr, Der, P12, Crl }

/// <summary>A file of item <paramref name="Id"/>. The CA key is never handed out; client keys exist only inside the .p12.</summary>
public sealed record GetArtefact(string Id, ArtefactKind Kind);

/// <summary>The fields of an earlier item, to start a new form from.</summary>
public sealed record GetFormDefaults(string From);

/// <summary>Health of the CA: current CA, installed item, CRLs, and files missing on disk.</summary>
public sealed record GetCaStatus;

/// <summary>The whole pure state (for diagnostics and tests).</summary>
public sealed record GetCaState;

// Replies.

/// <summary>A command was refused; nothing was changed. <paramref name="Code"/> is one of <see cref="CaCodes"/>.</summary>
public sealed record CaRejected(string Code, string Message);

/// <summary>Rejection codes.</summary>
public static class CaCodes
{
    public const string NotFound = "not-found";
    public const string Exists = "exists";
    public const string NoCa = "no-ca";
    public const string Invalid = "invalid";
    public const string Refused = "refused";
    public const string Storage = "storage";
    public const string Journal = "journal";
}

public sealed record CaCreatedResult(CaItem Item);
/// <summary>The CSR to send to the public CA (the key stays in <c>sslconf/&lt;id&gt;/key.pem</c>).</summary>
public sealed record CertificateRequestedResult(CaItem Item, string CsrPem);
public sealed record CertificateImportedResult(CaItem Item);
/// <summary><paramref name="P12Password"/> is set for client certificates only: shown once, never stored.</summary>
public sealed record CertificateIssuedResult(CaItem Item, bool Installed, string? P12Password);
public sealed record CertificateInstalledResult(CaItem Item);
public sealed record CertificateRevokedResult(CaItem Item, long CrlNumber);
public sealed record CertificateDeletedResult(string Id);
public sealed record CrlPublishedResult(string CaId, long Number, DateTime NextUpdateUtc);
public sealed record CertificateListResult(IReadOnlyList<CaItem> Items, string? CurrentCaId, string? InstalledId);
public sealed record CertificateDetailsResult(CaItem Item, string Text);
public sealed record ArtefactResult(string Id, ArtefactKind Kind, string FileName, string ContentType, byte[] Content);
public sealed record FormDefaultsResult(CertificateForm Form);
/// <param name="Problems">Files missing or unusable (the CA keeps running; each line says how to fix it).</param>
/// <param name="Warnings">Expiry warnings: the current CA or the installed certificate ends within 30 days, or has ended.</param>
public sealed record CaStatusResult(string? CurrentCaId, string? InstalledId, IReadOnlyList<string> TrustedCaIds,
    long LastCrlNumber, IReadOnlyList<CrlRecord> Crls, int ItemCount, IReadOnlyList<string> Problems,
    IReadOnlyList<string> Warnings);

// Notifications on the EventStream, for the TLS layer and live sessions.

/// <summary>Published after a revocation is journaled and the new CRL is on disk.</summary>
public sealed record CertificateRevokedNotice(string Id, string IssuerId, string Serial, int Reason);
/// <summary>Published after <c>server.cert</c>/<c>server.key</c> were replaced and the change journaled.</summary>
public sealed record CertificateInstalledNotice(string Id, string Sha256);
/// <summary>Published after a CRL was signed, written to <c>sslconf/&lt;ca&gt;/crl.pem</c> and <c>certs/</c>.</summary>
public sealed record CrlPublishedNotice(string CaId, long Number, DateTime NextUpdateUtc);
