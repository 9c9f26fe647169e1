using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>Key generation, private-key PEM in and out, and key-to-certificate pairing.</summary>
public static class KeyMaterial
{
    /// <summary>Generates a fresh key pair. EC keys carry their named-curve OID so they encode as named curves
    /// (explicit curve parameters are rejected by OpenSSL's -x509_strict and by RFC 5480 §2.1.1).</summary>
    public static AsymmetricCipherKeyPair Generate(KeySpec spec, SecureRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        random ??= new SecureRandom();
        if (spec.RsaBits is int bits)
        {
            var rsa = new RsaKeyPairGenerator();
            // Public exponent 65537 (F4), the only value anything expects.
            rsa.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), random, bits, 100));
            return rsa.GenerateKeyPair();
        }
        var ec = new ECKeyPairGenerator();
        ec.Init(new ECKeyGenerationParameters(spec.Curve!, random));
        return ec.GenerateKeyPair();
    }

    /// <summary>Unencrypted PKCS#8 (RFC 5958) PEM: "-----BEGIN PRIVATE KEY-----".</summary>
    public static string PrivateKeyToPem(AsymmetricKeyParameter privateKey)
    {
        RequirePrivate(privateKey);
        return Pem.Encode("PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetEncoded());
    }

    /// <summary>
    /// Encrypted PKCS#8 PEM ("-----BEGIN ENCRYPTED PRIVATE KEY-----"): PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC,
    /// which <c>openssl pkey -passin</c> reads.
    /// </summary>
    public static string PrivateKeyToEncryptedPem(AsymmetricKeyParameter privateKey, string passphrase, SecureRandom? random = null)
    {
        RequirePrivate(privateKey);
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new PkiException("A passphrase is required to encrypt a private key.");
        }
        var info = PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetEncoded();
        var (algorithm, cipherText) = Pbes2.Encrypt(info, passphrase, random ?? new SecureRandom());
        return Pem.Encode("ENCRYPTED PRIVATE KEY", new EncryptedPrivateKeyInfo(algorithm, cipherText).GetEncoded());
    }

    /// <summary>
    /// Reads the first private key in a PEM text: PKCS#8, encrypted PKCS#8, or traditional OpenSSL
    /// "RSA PRIVATE KEY" / "EC PRIVATE KEY" (also with Proc-Type/DEK-Info encryption). Other blocks are skipped.
    /// </summary>
    public static AsymmetricKeyParameter ReadPrivateKeyPem(string pem, string? passphrase = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (passphrase is null && (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.Contains("Proc-Type: 4,ENCRYPTED")))
        {
            throw new PkiException("The private key is encrypted; a passphrase is required.");
        }
        try
        {
            using var reader = new PemReader(new StringReader(pem), passphrase is null ? null : new Password(passphrase));
            object? item;
            while ((item = reader.ReadObject()) is not null)
            {
                switch (item)
                {
                    case AsymmetricCipherKeyPair pair:
                        return pair.Private;
                    case AsymmetricKeyParameter { IsPrivate: true } key:
                        return key;
                }
            }
        }
        catch (Org.BouncyCastle.OpenSsl.PasswordException e)
        {
            throw new PkiException("The private key is encrypted; a passphrase is required.", e);
        }
        catch (Exception e) when (e is not PkiException)
        {
            throw new PkiException(passphrase is null
                ? "The private key PEM could not be read."
                : "The private key could not be decrypted: wrong passphrase or damaged file.", e);
        }
        throw new PkiException("No private key found in the PEM text.");
    }

    /// <summary>The public half of a private RSA (CRT form) or EC key.</summary>
    public static AsymmetricKeyParameter PublicFromPrivate(AsymmetricKeyParameter privateKey)
    {
        RequirePrivate(privateKey);
        switch (privateKey)
        {
            case RsaPrivateCrtKeyParameters rsa:
                return new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent);
            case ECPrivateKeyParameters ec:
                var q = ec.Parameters.G.Multiply(ec.D).Normalize();
                // Keep the named curve so the SubjectPublicKeyInfo encodes the OID, not explicit parameters.
                return ec.PublicKeyParamSet is { } curve
                    ? new ECPublicKeyParameters(ec.AlgorithmName, q, curve)
                    : new ECPublicKeyParameters(ec.AlgorithmName, q, ec.Parameters);
            default:
                throw new PkiException($"Unsupported private key type {privateKey.GetType().Name}; use RSA or EC keys.");
        }
    }

    /// <summary>True when <paramref name="privateKey"/> is the private half of the certificate's public key.</summary>
    public static bool IsPair(BcX509 certificate, AsymmetricKeyParameter privateKey)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (!privateKey.IsPrivate)
        {
            return false;
        }
        return (certificate.GetPublicKey(), privateKey) switch
        {
            (RsaKeyParameters pub, RsaPrivateCrtKeyParameters priv) =>
                pub.Modulus.Equals(priv.Modulus) && pub.Exponent.Equals(priv.PublicExponent),
            (ECPublicKeyParameters pub, ECPrivateKeyParameters priv) =>
                pub.Parameters.Curve.Equals(priv.Parameters.Curve)
                && pub.Q.Normalize().Equals(priv.Parameters.G.Multiply(priv.D).Normalize()),
            _ => false,
        };
    }

    /// <summary>The spec matching an existing key, e.g. to report "rsa3072" for an imported key.</summary>
    public static KeySpec SpecOf(AsymmetricKeyParameter key)
    {
        switch (key)
        {
            case RsaKeyParameters rsa:
                var bits = rsa.Modulus.BitLength;
                return KeySpec.All.FirstOrDefault(s => s.RsaBits == bits)
                    ?? throw new PkiException($"RSA key of {bits} bits is not supported (2048, 3072 or 4096).");
            case ECKeyParameters ec:
                var fieldBits = ec.Parameters.Curve.FieldSize;
                return fieldBits switch
                {
                    256 => KeySpec.Ec256,
                    384 => KeySpec.Ec384,
                    _ => throw new PkiException($"EC key on a {fieldBits}-bit curve is not supported (P-256 or P-384)."),
                };
            default:
                throw new PkiException($"Unsupported key type {key?.GetType().Name}; use RSA or EC keys.");
        }
    }

    internal static void RequirePrivate(AsymmetricKeyParameter key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.IsPrivate)
        {
            throw new PkiException("A private key was expected but a public key was given.");
        }
    }

    private sealed class Password(string value) : IPasswordFinder
    {
        public char[] GetPassword() => value.ToCharArray();
    }
}
