using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace JdMail.Pki;

/// <summary>
/// The distinguished-name fields the forms collect. Null or blank fields are left out; the others are used
/// verbatim (callers trim form input), in the order C, ST, L, O, OU, CN, emailAddress.
/// </summary>
public sealed record SubjectFields(string? Country = null, string? State = null, string? Locality = null,
    string? Organization = null, string? OrganizationalUnit = null, string? CommonName = null, string? Email = null)
{
    /// <summary>
    /// Builds the X.509 name: UTF8String for text attributes (so Chinese works), PrintableString for the
    /// two-letter country (RFC 5280 §4.1.2.4 / X.520), IA5String for emailAddress (PKCS #9).
    /// </summary>
    /// <exception cref="PkiException">A field is too long, has control characters, or the country/e-mail is malformed.</exception>
    public X509Name ToX509Name()
    {
        var oids = new List<DerObjectIdentifier>();
        var values = new List<string>();
        void Add(DerObjectIdentifier oid, string label, string? value, int maxLength)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return;
            }
            // Upper bounds from RFC 5280 Appendix A (ub-common-name 64, ub-locality-name 128, ...).
            if (value.Length > maxLength)
            {
                throw new PkiException($"{label} is longer than {maxLength} characters.");
            }
            if (value.Any(char.IsControl))
            {
                throw new PkiException($"{label} contains control characters.");
            }
            oids.Add(oid);
            values.Add(value);
        }

        Add(X509Name.C, "Country", NormalizedCountry, 2);
        Add(X509Name.ST, "State", State, 128);
        Add(X509Name.L, "Locality", Locality, 128);
        Add(X509Name.O, "Organization", Organization, 64);
        Add(X509Name.OU, "Organizational unit", OrganizationalUnit, 64);
        Add(X509Name.CN, "Common name", CommonName, 64);
        if (!string.IsNullOrWhiteSpace(Email))
        {
            Add(X509Name.EmailAddress, "E-mail", Names.Email(Email), 255);
        }
        return new X509Name(oids, values, new Converter());
    }

    /// <summary>True when every field is blank (an empty subject).</summary>
    public bool IsEmpty => new[] { Country, State, Locality, Organization, OrganizationalUnit, CommonName, Email }
        .All(string.IsNullOrWhiteSpace);

    /// <summary>
    /// Reads the known attributes back from a name (a CSR, an earlier certificate) so a form can start from them.
    /// When an attribute repeats, the first value wins; unknown attributes are ignored.
    /// </summary>
    public static SubjectFields FromX509Name(X509Name name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? First(DerObjectIdentifier oid) => name.GetValueList(oid).FirstOrDefault();
        return new SubjectFields(First(X509Name.C), First(X509Name.ST), First(X509Name.L), First(X509Name.O),
            First(X509Name.OU), First(X509Name.CN), First(X509Name.EmailAddress));
    }

    private string? NormalizedCountry
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Country))
            {
                return null;
            }
            var c = Country.Trim();
            // ISO 3166-1 alpha-2, as X.520 CountryName requires.
            if (c.Length != 2 || !c.All(char.IsAsciiLetter))
            {
                throw new PkiException($"Country must be a two-letter ISO 3166 code such as CN or DE, not '{Country}'.");
            }
            return c.ToUpperInvariant();
        }
    }

    /// <summary>
    /// Like BouncyCastle's default converter but never treats a leading '#' as hex-encoded DER, so user text
    /// cannot smuggle arbitrary ASN.1 into a name.
    /// </summary>
    private sealed class Converter : X509NameEntryConverter
    {
        public override Asn1Object GetConvertedValue(DerObjectIdentifier oid, string value)
        {
            if (oid.Equals(X509Name.C))
            {
                return new DerPrintableString(value, true);
            }
            if (oid.Equals(X509Name.EmailAddress))
            {
                return new DerIA5String(value, true);
            }
            return new DerUtf8String(value);
        }
    }
}
