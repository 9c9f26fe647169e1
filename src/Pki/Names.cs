using System.Net;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace JdMail.Pki;

/// <summary>
/// Validation and normalisation of the names that go into subjectAltName (RFC 5280 §4.2.1.6):
/// host names (LDH, RFC 1123 §2.1, optional leading wildcard label), IP literals and e-mail addresses.
/// </summary>
public static partial class Names
{
    /// <summary>
    /// Turns one operator-entered name into a SAN entry: strict dotted-quad IPv4 or IPv6 literals become
    /// iPAddress, everything else must be a valid DNS name (lower-cased, trailing dot removed) and becomes dNSName.
    /// </summary>
    /// <exception cref="PkiException">The name is neither a valid host name nor an IP address.</exception>
    public static GeneralName ToGeneralName(string name)
    {
        var normalized = Normalize(name);
        return IPAddress.TryParse(normalized, out var ip) && LooksLikeIp(normalized)
            ? new GeneralName(GeneralName.IPAddress, new DerOctetString(ip.GetAddressBytes()))
            : new GeneralName(GeneralName.DnsName, normalized);
    }

    /// <summary>
    /// Canonical text form of a server name: IP literals as .NET prints them (IPv6 compressed, lower case),
    /// DNS names lower-cased without a trailing dot. Two names are the same SAN entry when these are equal.
    /// </summary>
    public static string Normalize(string name)
    {
        var n = (name ?? "").Trim();
        if (n.Length == 0)
        {
            throw new PkiException("An empty name cannot go into a certificate.");
        }
        if (n.StartsWith('[') && n.EndsWith(']'))
        {
            n = n[1..^1];
        }
        if (LooksLikeIp(n))
        {
            if (!IPAddress.TryParse(n, out var ip) || n.Contains('%'))
            {
                throw new PkiException($"'{name}' is not a valid IP address.");
            }
            return ip.ToString();
        }
        return DnsName(n, allowWildcard: true);
    }

    /// <summary>Validates a host name for dNSName: ASCII LDH labels of 1-63 characters, at most 253 in all,
    /// a last label that is not all digits, and "*" only as the whole leftmost label of a name with at least
    /// two more labels ("*.example.com", never "*.com" or "w*.example.com").</summary>
    public static string DnsName(string name, bool allowWildcard)
    {
        var n = (name ?? "").Trim();
        if (n.EndsWith('.'))
        {
            n = n[..^1];
        }
        n = n.ToLowerInvariant();
        if (n.Length == 0 || n.Length > 253)
        {
            throw new PkiException($"'{name}' is not a valid host name (1 to 253 characters).");
        }
        if (n.Any(c => c > 0x7f))
        {
            throw new PkiException($"'{name}' contains non-ASCII characters; use the punycode (xn--) form of the name.");
        }
        var labels = n.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label == "*" && i == 0)
            {
                if (!allowWildcard)
                {
                    throw new PkiException($"'{name}': a wildcard is not allowed here.");
                }
                if (labels.Length < 3)
                {
                    throw new PkiException($"'{name}': a wildcard needs at least two labels after it (*.example.com).");
                }
                continue;
            }
            if (!LdhLabel().IsMatch(label))
            {
                throw new PkiException(label.Contains('*')
                    ? $"'{name}': '*' is only allowed as the whole leftmost label (*.example.com)."
                    : $"'{name}' is not a valid host name: label '{label}' must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen.");
            }
        }
        if (labels[^1].All(char.IsAsciiDigit))
        {
            throw new PkiException($"'{name}' is not a valid host name or IP address.");
        }
        return n;
    }

    /// <summary>Validates an e-mail address for rfc822Name / emailAddress (ASCII only: both are IA5String).</summary>
    public static string Email(string email)
    {
        var e = (email ?? "").Trim();
        var at = e.LastIndexOf('@');
        if (at <= 0 || at > 64 || at == e.Length - 1 || e.Length > 255 || e.Any(c => c > 0x7e || c <= 0x20)
            || e.IndexOf('@') != at)
        {
            throw new PkiException($"'{email}' is not a valid ASCII e-mail address (local@domain).");
        }
        var domain = DnsName(e[(at + 1)..], allowWildcard: false);
        return e[..at] + "@" + domain;
    }

    private static bool LooksLikeIp(string n) => n.Contains(':') || DottedQuad().IsMatch(n);

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex LdhLabel();

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$")]
    private static partial Regex DottedQuad();

}
