using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>How a .p12 file is protected.</summary>
public enum Pkcs12Profile
{
    /// <summary>PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificate bags, HMAC-SHA256 MAC: what
    /// OpenSSL 3 writes by default and opens without -legacy.</summary>
    Modern,

    /// <summary>pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates, SHA-1 MAC: for old Windows and macOS
    /// releases that cannot read PBES2.</summary>
    Legacy,
}

/// <summary>PKCS #12 (RFC 7292) files with a private key, its certificate and the chain.</summary>
public static class Pkcs12
{
    private const int LegacyIterations = 2048;

    /// <summary>
    /// Writes a password-protected .p12: one key bag and the leaf certificate bag, both with the friendly name and
    /// a shared localKeyId (so every importer pairs them), then the chain certificates.
    /// </summary>
    public static byte[] Create(AsymmetricKeyParameter privateKey, BcX509 certificate, IEnumerable<BcX509> chain,
        string password, string friendlyName, Pkcs12Profile profile = Pkcs12Profile.Modern, SecureRandom? random = null)
    {
        KeyMaterial.RequirePrivate(privateKey);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(friendlyName);
        if (string.IsNullOrEmpty(password))
        {
            throw new PkiException("A PKCS#12 file needs a password.");
        }
        if (!KeyMaterial.IsPair(certificate, privateKey))
        {
            throw new PkiException("The private key does not belong to the certificate.");
        }
        random ??= new SecureRandom();
        var others = chain.Where(c => !Signing.Same(c, certificate)).ToList();
        return profile switch
        {
            Pkcs12Profile.Modern => Modern(privateKey, certificate, others, password, friendlyName, random),
            Pkcs12Profile.Legacy => Legacy(privateKey, certificate, others, password, friendlyName, random),
            _ => throw new PkiException($"Unknown PKCS#12 profile {profile}."),
        };
    }

    /// <summary>Parses a profile name ("modern" or "legacy", case-insensitive).</summary>
    public static Pkcs12Profile ParseProfile(string name) =>
        Enum.TryParse<Pkcs12Profile>((name ?? "").Trim(), true, out var p) && Enum.IsDefined(p)
            ? p
            : throw new PkiException($"Unknown PKCS#12 profile '{name}'. Use 'modern' or 'legacy'.");

    private static byte[] Legacy(AsymmetricKeyParameter key, BcX509 leaf, List<BcX509> chain, string password,
        string friendlyName, SecureRandom random)
    {
        var store = new Pkcs12StoreBuilder()
            .SetKeyAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
            .SetCertAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
            .SetUseDerEncoding(true)
            .Build();
        var entries = new[] { leaf }.Concat(chain).Select(c => new X509CertificateEntry(c)).ToArray();
        store.SetKeyEntry(friendlyName, new AsymmetricKeyEntry(key), entries);
        using var output = new MemoryStream();
        store.Save(output, password.ToCharArray(), random);
        return output.ToArray();
    }

    private static byte[] Modern(AsymmetricKeyParameter key, BcX509 leaf, List<BcX509> chain, string password,
        string friendlyName, SecureRandom random)
    {
        // localKeyId = SHA-1 of the leaf certificate, as OpenSSL writes it.
        var localKeyId = SHA1.HashData(leaf.GetEncoded());
        var attributes = new DerSet(
            new DerSequence(PkcsObjectIdentifiers.Pkcs9AtFriendlyName, new DerSet(new DerBmpString(friendlyName))),
            new DerSequence(PkcsObjectIdentifiers.Pkcs9AtLocalKeyID, new DerSet(new DerOctetString(localKeyId))));

        // Certificates: SafeContents in an encryptedData ContentInfo (RFC 7292 §4.1).
        var certBags = new List<Asn1Encodable> { CertBag(leaf, attributes) };
        certBags.AddRange(chain.Select(c => CertBag(c, null)));
        var (certAlg, certCipher) = Pbes2.Encrypt(new DerSequence(certBags.ToArray()).GetEncoded(Asn1Encodable.Der), password, random);
        var encryptedData = new DerSequence(
            DerInteger.ValueOf(0),
            new DerSequence(PkcsObjectIdentifiers.Data, certAlg, new DerTaggedObject(false, 0, new DerOctetString(certCipher))));
        var certsInfo = new DerSequence(PkcsObjectIdentifiers.EncryptedData, new DerTaggedObject(true, 0, encryptedData));

        // Key: a pkcs8ShroudedKeyBag (already encrypted) in a plain data ContentInfo.
        var keyInfo = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetEncoded(Asn1Encodable.Der);
        var (keyAlg, keyCipher) = Pbes2.Encrypt(keyInfo, password, random);
        var keyBag = new DerSequence(PkcsObjectIdentifiers.Pkcs8ShroudedKeyBag,
            new DerTaggedObject(true, 0, new EncryptedPrivateKeyInfo(keyAlg, keyCipher)), attributes);
        var keyContents = new DerSequence(keyBag).GetEncoded(Asn1Encodable.Der);
        var keyContentInfo = new DerSequence(PkcsObjectIdentifiers.Data, new DerTaggedObject(true, 0, new DerOctetString(keyContents)));

        var authSafe = new DerSequence(certsInfo, keyContentInfo).GetEncoded(Asn1Encodable.Der);

        // MAC over the AuthenticatedSafe octets with a key from the PKCS #12 KDF (RFC 7292 Appendix B, ID 3),
        // SHA-256 throughout, as OpenSSL 3 does for PBES2 files.
        var salt = new byte[16];
        random.NextBytes(salt);
        var kdf = new Pkcs12ParametersGenerator(new Sha256Digest());
        kdf.Init(PbeParametersGenerator.Pkcs12PasswordToBytes(password.ToCharArray()), salt, Pbes2.Iterations);
        var hmac = new HMac(new Sha256Digest());
        hmac.Init((KeyParameter)kdf.GenerateDerivedMacParameters(256));
        hmac.BlockUpdate(authSafe, 0, authSafe.Length);
        var mac = new byte[hmac.GetMacSize()];
        hmac.DoFinal(mac, 0);
        var macData = new DerSequence(
            new DerSequence(new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance), new DerOctetString(mac)),
            new DerOctetString(salt),
            DerInteger.ValueOf(Pbes2.Iterations));

        var pfx = new DerSequence(
            DerInteger.ValueOf(3),
            new DerSequence(PkcsObjectIdentifiers.Data, new DerTaggedObject(true, 0, new DerOctetString(authSafe))),
            macData);
        return pfx.GetEncoded(Asn1Encodable.Der);
    }

    private static DerSequence CertBag(BcX509 cert, Asn1Set? attributes)
    {
        var certBag = new DerSequence(PkcsObjectIdentifiers.X509Certificate,
            new DerTaggedObject(true, 0, new DerOctetString(cert.GetEncoded())));
        var bag = new Asn1EncodableVector(PkcsObjectIdentifiers.CertBag, new DerTaggedObject(true, 0, certBag));
        if (attributes is not null)
        {
            bag.Add(attributes);
        }
        return new DerSequence(bag);
    }
}

/// <summary>Passwords for .p12 downloads, shown once to the operator.</summary>
public static class Passwords
{
    /// <summary>Letters and digits without the look-alikes 0/O/o, 1/l/I: easy to read aloud and retype.</summary>
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>A uniformly random password (20 characters from 56 symbols is about 116 bits).</summary>
    public static string Generate(int length = 20, SecureRandom? random = null)
    {
        if (length < 12 || length > 256)
        {
            throw new PkiException("Generated passwords are 12 to 256 characters long.");
        }
        random ??= new SecureRandom();
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            // NextInt(n) is uniform (rejection sampling), so no modulo bias.
            chars[i] = Alphabet[random.Next(Alphabet.Length)];
        }
        return new string(chars);
    }
}
