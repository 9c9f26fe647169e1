using Akka.Configuration;

namespace JdMail.Actors.Ca;

/// <summary>
/// Settings of the embedded CA (<c>jdmail.ca</c>), typed once at start-up and passed into
/// <see cref="CertificateAuthorityActor.Props"/>.
/// </summary>
/// <param name="KeyPassphrase">Encrypts CA private keys at rest (PKCS#8 PBES2, AES-256-CBC) when not empty.</param>
/// <param name="CrlValidity">thisUpdate to nextUpdate of every CRL the CA signs.</param>
/// <param name="CrlReissueBefore">A CRL is reissued this long before its nextUpdate, so a fresh one is always out.</param>
/// <param name="CrlUrl">Put into issued certificates as the CRL distribution point; null for none.</param>
/// <param name="SnapshotEvery">A snapshot is saved after this many journaled events.</param>
/// <param name="DefaultKeyType">Key type when a form names none.</param>
public sealed record CaSettings(string KeyPassphrase, TimeSpan CrlValidity, TimeSpan CrlReissueBefore, string? CrlUrl,
    int SnapshotEvery, string DefaultKeyType)
{
    /// <summary>The values <c>config/hocon/jdmail.conf</c> ships with.</summary>
    public static CaSettings Default { get; } = new("", TimeSpan.FromDays(7), TimeSpan.FromDays(1), null, 100, "ec256");

    /// <summary>Builds the settings from the <c>jdmail.ca</c> section (null or missing keys take the defaults).</summary>
    public static CaSettings Create(Config? c)
    {
        if (c is null || c.IsEmpty) return Default;
        var d = Default;
        var validity = c.GetTimeSpan("crl-next-update", d.CrlValidity);
        var before = c.GetTimeSpan("crl-reissue-before", d.CrlReissueBefore);
        if (validity <= TimeSpan.Zero) throw new ConfigurationException("jdmail.ca.crl-next-update must be positive");
        if (before < TimeSpan.Zero || before >= validity)
            throw new ConfigurationException("jdmail.ca.crl-reissue-before must be at least 0 and shorter than crl-next-update");
        var url = c.GetString("crl-url", "");
        return new CaSettings(
            c.GetString("key-passphrase", ""),
            validity,
            before,
            string.IsNullOrWhiteSpace(url) ? null : url.Trim(),
            Math.Max(1, c.GetInt("snapshot-every", d.SnapshotEvery)),
            c.GetString("default-key-type", d.DefaultKeyType));
    }

    /// <summary>The passphrase, or null when keys are stored unencrypted.</summary>
    public string? Passphrase => KeyPassphrase.Length == 0 ? null : KeyPassphrase;

    /// <summary>Never print the passphrase.</summary>
    public override string ToString() =>
        $"CaSettings {{ KeyPassphrase = {(KeyPassphrase.Length == 0 ? "(none)" : "***")}, CrlValidity = {CrlValidity}, CrlReissueBefore = {CrlReissueBefore}, CrlUrl = {CrlUrl}, SnapshotEvery = {SnapshotEvery}, DefaultKeyType = {DefaultKeyType} }}";
}
