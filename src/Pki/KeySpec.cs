using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;

namespace JdMail.Pki;

/// <summary>
/// A key type and size the CA is willing to generate: RSA 2048/3072/4096 or ECDSA P-256/P-384.
/// Anything weaker is not offered (today's clients and OpenSSL security level 2 reject it).
/// </summary>
public sealed record KeySpec
{
    /// <summary>Canonical name: "rsa2048", "rsa3072", "rsa4096", "ec256" or "ec384".</summary>
    public string Name { get; }

    /// <summary>True for RSA keys, false for EC keys.</summary>
    public bool IsRsa => RsaBits is not null;

    /// <summary>RSA modulus size in bits, or null for EC.</summary>
    public int? RsaBits { get; }

    /// <summary>Named curve OID for EC keys (secp256r1, secp384r1), or null for RSA.</summary>
    public DerObjectIdentifier? Curve { get; }

    private KeySpec(string name, int? rsaBits, DerObjectIdentifier? curve)
    {
        Name = name;
        RsaBits = rsaBits;
        Curve = curve;
    }

    /// <summary>RSA 2048-bit.</summary>
    public static KeySpec Rsa2048 { get; } = new("rsa2048", 2048, null);
    /// <summary>RSA 3072-bit.</summary>
    public static KeySpec Rsa3072 { get; } = new("rsa3072", 3072, null);
    /// <summary>RSA 4096-bit (slow to generate).</summary>
    public static KeySpec Rsa4096 { get; } = new("rsa4096", 4096, null);
    /// <summary>ECDSA on NIST P-256 (secp256r1).</summary>
    public static KeySpec Ec256 { get; } = new("ec256", null, SecObjectIdentifiers.SecP256r1);
    /// <summary>ECDSA on NIST P-384 (secp384r1).</summary>
    public static KeySpec Ec384 { get; } = new("ec384", null, SecObjectIdentifiers.SecP384r1);

    /// <summary>The default for new keys: ec256 (small, fast, accepted everywhere that matters).</summary>
    public static KeySpec Default => Ec256;

    /// <summary>Every supported spec, in the order a form would list them.</summary>
    public static IReadOnlyList<KeySpec> All { get; } = [Ec256, Ec384, Rsa2048, Rsa3072, Rsa4096];

    /// <summary>Parses a spec name (case-insensitive, surrounding blanks ignored).</summary>
    /// <exception cref="PkiException">The name is not one of the supported specs.</exception>
    public static KeySpec Parse(string name)
    {
        var wanted = (name ?? "").Trim();
        foreach (var spec in All)
        {
            if (string.Equals(spec.Name, wanted, StringComparison.OrdinalIgnoreCase))
            {
                return spec;
            }
        }
        throw new PkiException(
            $"Unknown key type '{name}'. Supported: {string.Join(", ", All.Select(s => s.Name))}.");
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
