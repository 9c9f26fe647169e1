namespace JdMail.Actors.Ca;

// The CA's journal schema (persistence id "ca"). Events hold primitives only (strings, numbers, booleans) and never
// a private key; times are Unix seconds UTC, serials and fingerprints lowercase hex, SAN lists comma-separated
// (a host name or IP address cannot contain a comma). A shipped event never changes shape: add a new one instead.

/// <summary>Marker for every CA event.</summary>
public interface ICaEvent;

/// <summary>A private CA was created in <c>sslconf/&lt;Id&gt;/</c>. <paramref name="ReplacedCaId"/> is the CA it
/// replaces as issuer ("" when none); the replaced CA stays trusted until it is deleted.</summary>
public sealed record CaCreated(string Id, string Country, string State, string Locality, string Organization,
    string Unit, string CommonName, string Email, string KeySpec, int Days, string Note, string Subject,
    string Serial, long NotBefore, long NotAfter, string Sha256, bool KeyEncrypted, string ReplacedCaId, long At) : ICaEvent;

/// <summary>The CA made by the first start (<c>sslconf/ca/</c>) was taken over into the journal.</summary>
public sealed record CaAdopted(string Id, string Organization, string CommonName, string KeySpec, int Days, string Note,
    string Subject, string Serial, long NotBefore, long NotAfter, string Sha256, long At) : ICaEvent;

/// <summary>Public-CA mode: a key and a CSR were made in <c>sslconf/&lt;Id&gt;/</c>; the certificate comes later.</summary>
public sealed record CertificateRequested(string Id, string Country, string State, string Locality, string Organization,
    string Unit, string CommonName, string Email, string Names, string KeySpec, string Note, string Subject, long At) : ICaEvent;

/// <summary>A certificate was issued: <paramref name="Kind"/> is "server" (signed by CA <paramref name="IssuerId"/>),
/// "selfsigned" or "client" (delivered as .p12 with <paramref name="P12Profile"/>).</summary>
public sealed record CertificateIssued(string Id, string Kind, string Country, string State, string Locality,
    string Organization, string Unit, string CommonName, string Email, string Names, string KeySpec, int Days,
    string Note, string Subject, string Issuer, string IssuerId, string Serial, long NotBefore, long NotAfter,
    string Sha256, string P12Profile, long At) : ICaEvent;

/// <summary>The certificate a public CA returned for request <paramref name="Id"/> was checked against the stored
/// key and stored with its chain.</summary>
public sealed record CertificateImported(string Id, string Subject, string Issuer, string Serial, long NotBefore,
    long NotAfter, string Sha256, string Names, int ChainLength, long At) : ICaEvent;

/// <summary><c>server.cert</c> (leaf + chain) and <c>server.key</c> now hold item <paramref name="Id"/>.</summary>
public sealed record CertificateInstalled(string Id, string Sha256, long At) : ICaEvent;

/// <summary>Item <paramref name="Id"/>, serial <paramref name="Serial"/> of CA <paramref name="IssuerId"/>, is revoked
/// (<paramref name="Reason"/> is the RFC 5280 §5.3.1 CRLReason code).</summary>
public sealed record CertificateRevoked(string Id, string IssuerId, string Serial, int Reason, long At) : ICaEvent;

/// <summary>Item <paramref name="Id"/> and its folder were removed. Its serial stays used; a revocation stays listed.</summary>
public sealed record CertificateDeleted(string Id, long At) : ICaEvent;

/// <summary>CA <paramref name="CaId"/> signed CRL number <paramref name="Number"/> (numbers only grow, across CAs too).</summary>
public sealed record CrlPublished(string CaId, long Number, long ThisUpdate, long NextUpdate, int RevokedCount, long At) : ICaEvent;
