using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace JdMail.Pki;

/// <summary>
/// PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 and AES-256-CBC: the scheme OpenSSL 3 writes by default for
/// encrypted PKCS#8 keys and PKCS#12 bags. Built by hand so the PRF and cipher are exactly these.
/// </summary>
internal static class Pbes2
{
    /// <summary>Iterations for key files and PKCS#12 bags: well above OpenSSL's 2048, within .NET's import limits.</summary>
    public const int Iterations = 100_000;

    public static (AlgorithmIdentifier Algorithm, byte[] CipherText) Encrypt(byte[] plain, string password, SecureRandom random)
    {
        var salt = new byte[16];
        var iv = new byte[16];
        random.NextBytes(salt);
        random.NextBytes(iv);

        // PBKDF2-params ::= SEQUENCE { salt, iterationCount, [keyLength omitted: AES-256 fixes it], prf }
        var prf = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdHmacWithSha256, DerNull.Instance);
        var kdfParams = new DerSequence(new DerOctetString(salt), DerInteger.ValueOf(Iterations), prf);
        var kdf = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbkdf2, kdfParams);
        var scheme = new AlgorithmIdentifier(NistObjectIdentifiers.IdAes256Cbc, new DerOctetString(iv));
        var algorithm = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbeS2, new DerSequence(kdf, scheme));

        var cipher = CipherUtilities.GetCipher("AES/CBC/PKCS7PADDING");
        cipher.Init(true, new ParametersWithIV(DeriveKey(password, salt, Iterations), iv));
        return (algorithm, cipher.DoFinal(plain));
    }

    private static KeyParameter DeriveKey(string password, byte[] salt, int iterations)
    {
        // OpenSSL and .NET feed the password to PBKDF2 as its UTF-8 bytes.
        var generator = new Pkcs5S2ParametersGenerator(new Sha256Digest());
        generator.Init(Encoding.UTF8.GetBytes(password), salt, iterations);
        return (KeyParameter)generator.GenerateDerivedMacParameters(256);
    }
}
