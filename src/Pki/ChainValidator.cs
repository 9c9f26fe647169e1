using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>Outcome of a chain check. Ordinary failures are results, not exceptions.</summary>
/// <param name="IsValid">True when a valid path to a trusted certificate was found.</param>
/// <param name="Reason">"OK" or why the leaf is not trusted.</param>
/// <param name="Path">The path found, leaf first and the trusted certificate last (empty when none was built).</param>
public sealed record ChainCheckResult(bool IsValid, string Reason, IReadOnlyList<BcX509> Path)
{
    internal static ChainCheckResult Fail(string reason, IReadOnlyList<BcX509>? path = null) => new(false, reason, path ?? []);
}

/// <summary>
/// A compact RFC 5280 §6 path validation for our own TLS checks: builds a path from the leaf through optional
/// intermediates to a trusted certificate and checks signatures, validity at a given time, CA:TRUE and keyCertSign on
/// issuers, pathLenConstraint, unknown critical extensions, and revocation against the CRLs given.
/// It does not process policies or name constraints (a certificate marking those critical fails).
/// </summary>
public static class ChainValidator
{
    private const int MaxDepth = 8;

    // Critical extensions this validator understands (§6.1.4 (o): anything else critical makes the path invalid).
    private static readonly HashSet<string> Understood =
    [
        X509Extensions.BasicConstraints.Id, X509Extensions.KeyUsage.Id, X509Extensions.ExtendedKeyUsage.Id,
        X509Extensions.SubjectAlternativeName.Id, X509Extensions.SubjectKeyIdentifier.Id,
        X509Extensions.AuthorityKeyIdentifier.Id,
    ];

    /// <summary>Checks <paramref name="leaf"/> at <paramref name="atUtc"/> against trusted certificates (roots, or
    /// intermediates trusted directly), with optional untrusted intermediates and CRLs.</summary>
    public static ChainCheckResult Verify(BcX509 leaf, IEnumerable<BcX509> trusted, DateTime atUtc,
        IEnumerable<BcX509>? intermediates = null, IEnumerable<X509Crl>? crls = null)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(trusted);
        var anchors = trusted.ToList();
        var helpers = (intermediates ?? []).ToList();
        var crlList = (crls ?? []).ToList();
        var at = Signing.Utc(atUtc);

        ChainCheckResult? firstFailure = null;
        foreach (var path in Paths(leaf, anchors, helpers))
        {
            if (path.Failure is not null)
            {
                firstFailure ??= ChainCheckResult.Fail(path.Failure, path.Certs);
                continue;
            }
            var result = Check(path.Certs, at, crlList);
            if (result.IsValid)
            {
                return result;
            }
            firstFailure ??= result;
        }
        return firstFailure ?? ChainCheckResult.Fail($"No issuer of {Signing.Label(leaf)} (issuer '{leaf.IssuerDN}') is among the trusted certificates.");
    }

    private sealed record Candidate(List<BcX509> Certs, string? Failure);

    /// <summary>Depth-first path building; yields complete paths and dead ends with a reason.</summary>
    private static IEnumerable<Candidate> Paths(BcX509 leaf, List<BcX509> anchors, List<BcX509> helpers)
    {
        var stack = new Stack<List<BcX509>>();
        stack.Push([leaf]);
        while (stack.Count > 0)
        {
            var path = stack.Pop();
            var current = path[^1];
            if (anchors.Any(a => Signing.Same(a, current)))
            {
                yield return new Candidate(path, null);
                continue;
            }
            if (path.Count > MaxDepth)
            {
                yield return new Candidate(path, "The chain is too long.");
                continue;
            }
            var found = false;
            foreach (var issuer in anchors.Concat(helpers).Where(c => Signing.NamesIssuer(c, current)))
            {
                if (path.Any(p => Signing.Same(p, issuer)))
                {
                    continue;
                }
                found = true;
                if (!Signing.IsSignedBy(current, issuer))
                {
                    yield return new Candidate(path, $"The signature of {Signing.Label(current)} does not verify with the key of {Signing.Label(issuer)}.");
                    continue;
                }
                stack.Push([.. path, issuer]);
            }
            if (!found)
            {
                yield return new Candidate(path, $"No trusted issuer '{current.IssuerDN}' found for {Signing.Label(current)}.");
            }
        }
    }

    private static ChainCheckResult Check(List<BcX509> path, DateTime at, List<X509Crl> crls)
    {
        for (var i = 0; i < path.Count; i++)
        {
            var cert = path[i];
            if (at < Signing.Utc(cert.NotBefore))
            {
                return ChainCheckResult.Fail($"{Signing.Label(cert)} is not valid before {cert.NotBefore:u}.", path);
            }
            if (at > Signing.Utc(cert.NotAfter))
            {
                return ChainCheckResult.Fail($"{Signing.Label(cert)} expired {cert.NotAfter:u}.", path);
            }
            var unknown = cert.GetCriticalExtensionOids()?.Where(o => !Understood.Contains(o)).ToList() ?? [];
            if (unknown.Count > 0)
            {
                return ChainCheckResult.Fail($"{Signing.Label(cert)} has unsupported critical extensions: {string.Join(", ", unknown)}.", path);
            }
            if (i == 0)
            {
                continue;
            }
            // §6.1.4 (k), (n): every issuer must be a CA allowed to sign certificates.
            var pathLen = cert.GetBasicConstraints();
            if (pathLen < 0)
            {
                return ChainCheckResult.Fail($"{Signing.Label(cert)} issues certificates but is not a CA (basicConstraints CA:TRUE missing).", path);
            }
            var usage = cert.GetKeyUsage();
            if (usage is not null && !usage[5])
            {
                return ChainCheckResult.Fail($"{Signing.Label(cert)} is not allowed to sign certificates (keyCertSign missing).", path);
            }
            // §6.1.4 (l), (m): intermediates between this CA and the leaf, self-issued ones not counted.
            var below = path.Skip(1).Take(i - 1).Count(c => !c.SubjectDN.Equivalent(c.IssuerDN, true));
            if (below > pathLen)
            {
                return ChainCheckResult.Fail($"{Signing.Label(cert)} allows {pathLen} intermediate CA(s) below it but the chain has {below}.", path);
            }
        }
        for (var i = 0; i + 1 < path.Count; i++)
        {
            var cert = path[i];
            var issuer = path[i + 1];
            foreach (var crl in crls.Where(c => Crls.IsSignedBy(c, issuer)))
            {
                if (crl.IsRevoked(cert))
                {
                    return ChainCheckResult.Fail($"{Signing.Label(cert)} (serial {cert.SerialNumber.ToString(16)}) is revoked.", path);
                }
            }
        }
        return new ChainCheckResult(true, "OK", path);
    }
}
