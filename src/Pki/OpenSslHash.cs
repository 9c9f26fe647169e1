using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>
/// OpenSSL's name hash (X509_NAME_hash_ex, used by <c>-CApath</c> directories and <c>openssl rehash</c>):
/// SHA-1 over the canonical name encoding, first four bytes read little-endian.
/// </summary>
public static class OpenSslHash
{
    /// <summary>What <c>openssl x509 -hash -noout</c> prints for the certificate's subject.</summary>
    public static uint SubjectHash(BcX509 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return NameHash(certificate.CertificateStructure.TbsCertificate.Subject);
    }

    /// <summary>What <c>openssl crl -hash -noout</c> prints (the issuer name hash).</summary>
    public static uint IssuerHash(X509Crl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        var list = CertificateList.GetInstance(Asn1Object.FromByteArray(crl.GetEncoded()));
        return NameHash(list.TbsCertList.Issuer);
    }

    /// <summary>8 lowercase hex digits, as OpenSSL prints and names hashed-directory files.</summary>
    public static string HashHex(uint hash) => hash.ToString("x8");

    /// <summary>The hash of any name, computed from its encoded form.</summary>
    public static uint NameHash(X509Name name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var digest = SHA1.HashData(CanonicalEncoding(name));
        return digest[0] | (uint)digest[1] << 8 | (uint)digest[2] << 16 | (uint)digest[3] << 24;
    }

    /// <summary>
    /// OpenSSL's x509_name_canon: each RDN re-encoded as a DER SET of its entries, the SETs concatenated without an
    /// outer SEQUENCE; directory-string values become UTF8String, with leading/trailing white space dropped, inner
    /// runs of white space folded to one space and ASCII letters lower-cased. Other value types are copied as is.
    /// </summary>
    internal static byte[] CanonicalEncoding(X509Name name)
    {
        var sequence = Asn1Sequence.GetInstance(name.ToAsn1Object());
        using var output = new MemoryStream();
        foreach (var rdnElement in sequence)
        {
            var rdn = Asn1Set.GetInstance(rdnElement);
            var entries = new List<byte[]>();
            foreach (var entryElement in rdn)
            {
                var entry = Asn1Sequence.GetInstance(entryElement);
                var oid = DerObjectIdentifier.GetInstance(entry[0]).GetEncoded(Asn1Encodable.Der);
                var value = CanonicalValue(entry[1].ToAsn1Object());
                entries.Add(Tlv(0x30, [.. oid, .. value]));
            }
            // DER SET OF: members sorted by their encodings (X.690 §11.6), compared as OpenSSL's der_cmp does.
            entries.Sort(CompareDer);
            output.Write(Tlv(0x31, entries.SelectMany(e => e).ToArray()));
        }
        return output.ToArray();
    }

    private static byte[] CanonicalValue(Asn1Object value)
    {
        byte[]? utf8 = value switch
        {
            DerUtf8String s => Encoding.UTF8.GetBytes(s.GetString()),
            DerBmpString s => Utf8OfCodeUnits(s.GetString()),
            DerUniversalString s => Utf8OfUcs4(s.GetOctets()),
            // PrintableString, IA5String, VisibleString and T61String: OpenSSL maps each octet to one code point.
            DerPrintableString s => Utf8OfLatin1(s.GetOctets()),
            DerIA5String s => Utf8OfLatin1(s.GetOctets()),
            DerVisibleString s => Utf8OfLatin1(s.GetOctets()),
            DerT61String s => Utf8OfLatin1(s.GetOctets()),
            _ => null,
        };
        if (utf8 is null)
        {
            return value.GetEncoded(Asn1Encodable.Der);
        }
        return Tlv(0x0c, Canonicalize(utf8));
    }

    /// <summary>asn1_string_canon: trim, fold white space, lower-case ASCII; bytes >= 0x80 pass through.</summary>
    private static byte[] Canonicalize(byte[] s)
    {
        static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start]))
        {
            start++;
        }
        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }
        var result = new List<byte>(end - start);
        for (var i = start; i < end;)
        {
            var b = s[i];
            if (b >= 0x80)
            {
                result.Add(b);
                i++;
            }
            else if (IsSpace(b))
            {
                result.Add((byte)' ');
                while (i < end && IsSpace(s[i]))
                {
                    i++;
                }
            }
            else
            {
                result.Add(b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b);
                i++;
            }
        }
        return [.. result];
    }

    private static byte[] Utf8OfLatin1(byte[] octets) => Utf8OfCodePoints(octets.Select(b => (int)b));

    // BMPString is UCS-2 to OpenSSL: each 16-bit unit is its own code point (no surrogate pairing).
    private static byte[] Utf8OfCodeUnits(string s) => Utf8OfCodePoints(s.Select(c => (int)c));

    private static byte[] Utf8OfUcs4(byte[] octets)
    {
        var points = new List<int>();
        for (var i = 0; i + 3 < octets.Length; i += 4)
        {
            points.Add(octets[i] << 24 | octets[i + 1] << 16 | octets[i + 2] << 8 | octets[i + 3]);
        }
        return Utf8OfCodePoints(points);
    }

    private static byte[] Utf8OfCodePoints(IEnumerable<int> points)
    {
        var bytes = new List<byte>();
        foreach (var cp in points)
        {
            if (cp < 0x80)
            {
                bytes.Add((byte)cp);
            }
            else if (cp < 0x800)
            {
                bytes.Add((byte)(0xc0 | cp >> 6));
                bytes.Add((byte)(0x80 | cp & 0x3f));
            }
            else if (cp < 0x10000)
            {
                bytes.Add((byte)(0xe0 | cp >> 12));
                bytes.Add((byte)(0x80 | cp >> 6 & 0x3f));
                bytes.Add((byte)(0x80 | cp & 0x3f));
            }
            else
            {
                bytes.Add((byte)(0xf0 | cp >> 18 & 0x07));
                bytes.Add((byte)(0x80 | cp >> 12 & 0x3f));
                bytes.Add((byte)(0x80 | cp >> 6 & 0x3f));
                bytes.Add((byte)(0x80 | cp & 0x3f));
            }
        }
        return [.. bytes];
    }

    private static int CompareDer(byte[] a, byte[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return a[i] - b[i];
            }
        }
        return a.Length - b.Length;
    }

    private static byte[] Tlv(byte tag, byte[] content)
    {
        var length = content.Length;
        byte[] lengthBytes;
        if (length < 0x80)
        {
            lengthBytes = [(byte)length];
        }
        else
        {
            var digits = new List<byte>();
            for (var l = length; l > 0; l >>= 8)
            {
                digits.Insert(0, (byte)(l & 0xff));
            }
            lengthBytes = [(byte)(0x80 | digits.Count), .. digits];
        }
        return [tag, .. lengthBytes, .. content];
    }
}
