using System.Security.Cryptography.X509Certificates;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Tls;

/// <summary>
/// The outcome of checking a client certificate. <see cref="Trusted"/> means it chains to a trust anchor, is in date,
/// within the depth limit and not revoked: only such a certificate can log a user in. A self-signed certificate
/// admitted by SSLAllowSelfSigned is accepted but never trusted.
/// </summary>
public sealed record ClientCertificateVerdict(bool Accepted, bool Trusted, string Reason, X509Certificate2? Certificate)
{
    public string? SerialKey => Certificate is null ? null : TrustMaterial.SerialKey(Certificate.SerialNumberBytes.Span);
}

/// <summary>Client-certificate checks in XMail's terms, plus expiry, EKU and revocation (RFC 5280 §6).</summary>
public static class ClientCertificateVerifier
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static ClientCertificateVerdict Verify(X509Certificate2? leaf, X509Chain? presented, ClientCertificateSettings settings,
        TrustMaterial.Snapshot trust, DateTime nowUtc)
    {
        if (leaf is null)
            return settings.WantCert
                ? new(false, false, "no client certificate was sent and one is required (SSLWantCert)", null)
                : new(true, false, "no client certificate", null);
        if (!settings.Verify) return new(true, false, "client certificate not verified (SSLWantVerify off)", leaf);

        using var chain = new X509Chain();
        var p = chain.ChainPolicy;
        p.RevocationMode = X509RevocationMode.NoCheck;    // our own CRL is checked below
        p.VerificationTime = nowUtc;
        p.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthOid));
        if (presented is not null)
        {
            p.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var e in presented.ChainElements) if (!e.Certificate.Equals(leaf)) p.ExtraStore.Add(e.Certificate);
        }
        if (settings.UseCertsFile || settings.UseCertsDir)
        {
            p.TrustMode = X509ChainTrustMode.CustomRootTrust;
            p.CustomTrustStore.AddRange(trust.Anchors);
        }
        var built = chain.Build(leaf);
        var selfSigned = leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData) && chain.ChainElements.Count == 1;
        var statuses = chain.ChainStatus.Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (a, b) => a | b);

        if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
            return new(false, false, $"client certificate {leaf.Subject} is expired or not yet valid", leaf);
        if (!built)
        {
            var onlyUntrusted = (statuses & ~(X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) == 0;
            if (selfSigned && settings.AllowSelfSigned && onlyUntrusted)
                return new(true, false, "self-signed client certificate allowed (SSLAllowSelfSigned)", leaf);
            var why = selfSigned ? "it is self-signed and SSLAllowSelfSigned is off" : string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty(statuses.ToString()));
            return new(false, false, $"client certificate {leaf.Subject} does not verify: {why}", leaf);
        }
        // OpenSSL verify depth semantics (XMail SSLMaxCertsDepth): at most that many CA certificates between the
        // leaf and the trust anchor.
        var intermediates = Math.Max(0, chain.ChainElements.Count - 2);
        if (intermediates > settings.MaxDepth)
            return new(false, false, $"client certificate chain has {intermediates} intermediate CA(s), more than SSLMaxCertsDepth {settings.MaxDepth}", leaf);
        if (settings.CheckRevocation)
        {
            foreach (var element in chain.ChainElements)
            {
                var c = element.Certificate;
                if (trust.Revoked.TryGetValue(TrustMaterial.NameKey(c.IssuerName), out var serials) &&
                    serials.Contains(TrustMaterial.SerialKey(c.SerialNumberBytes.Span)))
                    return new(false, false, $"certificate {c.Subject} (serial {c.SerialNumber}) is revoked", leaf);
            }
        }
        return new(true, true, "client certificate verified", leaf);
    }
}
