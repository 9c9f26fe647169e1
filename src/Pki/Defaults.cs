namespace JdMail.Pki;

/// <summary>Validity defaults, in days. Callers choose; these are what the forms start from.</summary>
public static class Defaults
{
    /// <summary>Private CA lifetime (about 27 years, as JDMail offered).</summary>
    public const int CaDays = 10000;

    /// <summary>Server certificates: 397 days keeps under the 398-day limit browsers and mail clients enforce.</summary>
    public const int ServerDays = 397;

    /// <summary>Client (S/MIME, TLS client auth) certificates.</summary>
    public const int ClientDays = 365;

    /// <summary>Upper bound accepted for any validity, so a typo cannot produce a certificate valid for millennia.</summary>
    public const int MaxDays = 36525;
}
