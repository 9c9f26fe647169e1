using System.Net;
using Akka.Configuration;

namespace JdMail.Actors.Settings;

/// <summary>How a certificate maps to a mail account for AUTH EXTERNAL.</summary>
public enum CertificateLoginRule { Off, SanEmail, SubjectEmail }

/// <summary>
/// Client-certificate policy (<c>jdmail.tls.client-certificates</c>), one key per XMail server.tab variable:
/// SSLWantCert, SSLWantVerify, SSLAllowSelfSigned, SSLUseCertsFile, SSLUseCertsDir, SSLMaxCertsDepth; plus
/// revocation checking against our CRL and the certificate-login rule.
/// </summary>
public sealed record ClientCertificateSettings(bool WantCert, bool WantVerify, bool AllowSelfSigned, bool UseCertsFile,
    bool UseCertsDir, int MaxDepth, bool CheckRevocation, CertificateLoginRule Login)
{
    public static readonly ClientCertificateSettings Off = new(false, false, false, false, false, 9, true, CertificateLoginRule.SanEmail);

    /// <summary>XMail: SSLWantCert implies SSLWantVerify.</summary>
    public bool Verify => WantVerify || WantCert;

    /// <summary>A CertificateRequest goes into the handshake only when one of these is on; never by default.</summary>
    public bool Request => Verify;

    public static ClientCertificateSettings Create(Config? c)
    {
        if (c is null) return Off;
        var login = c.GetString("login", "san-email").ToLowerInvariant() switch
        {
            "off" => CertificateLoginRule.Off,
            "san-email" => CertificateLoginRule.SanEmail,
            "subject-email" => CertificateLoginRule.SubjectEmail,
            var v => throw new ConfigurationException($"jdmail.tls.client-certificates.login '{v}' is not off, san-email or subject-email"),
        };
        var depth = c.GetInt("max-depth", 9);
        if (depth < 0) throw new ConfigurationException("jdmail.tls.client-certificates.max-depth must be 0 or more");
        return new ClientCertificateSettings(c.GetBoolean("want-cert", false), c.GetBoolean("want-verify", false),
            c.GetBoolean("allow-self-signed", false), c.GetBoolean("use-certs-file", false), c.GetBoolean("use-certs-dir", false),
            depth, c.GetBoolean("check-revocation", true), login);
    }
}

/// <summary>A certificate served to clients that ask for <see cref="Name"/> by SNI (RFC 6066 §3).</summary>
public sealed record SniCertificate(string Name, string CertFile, string KeyFile)
{
    public static IReadOnlyList<SniCertificate> CreateList(Config c)
    {
        var list = new List<SniCertificate>();
        foreach (var v in c.GetValue("sni")?.GetArray() ?? [])
        {
            var o = v.GetObject();
            string Field(string k) => o.GetKey(k)?.GetString() ?? throw new ConfigurationException($"jdmail.tls.sni entry lacks '{k}'");
            list.Add(new SniCertificate(Field("name").ToLowerInvariant(), Field("cert"), Field("key")));
        }
        return list;
    }
}

/// <summary>Address or CIDR network matching for allow/ease lists.</summary>
public static class AddressMatch
{
    public static bool Contains(string network, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var slash = network.IndexOf('/');
        if (slash < 0) return IPAddress.TryParse(network, out var single) && single.Equals(address);
        if (!IPAddress.TryParse(network[..slash], out var net) || !int.TryParse(network[(slash + 1)..], out var bits)) return false;
        if (net.AddressFamily != address.AddressFamily) return false;
        var a = net.GetAddressBytes();
        var b = address.GetAddressBytes();
        if (bits < 0 || bits > a.Length * 8) return false;
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
        }
        return true;
    }
}

/// <summary>
/// Password-guessing brakes for SMTP AUTH and POP3 (<c>jdmail.security</c>): a failed login is answered only after
/// <see cref="FailureDelay"/>, and an address with <see cref="MaxFailures"/> failures within <see cref="Window"/> is
/// refused without a password check until the oldest one leaves the window.
/// </summary>
public sealed record LoginPolicy(int MaxFailures, TimeSpan Window, TimeSpan FailureDelay)
{
    public static readonly LoginPolicy Default = new(10, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1));

    public static LoginPolicy Create(Config? security) => security is null ? Default : new(
        (int)Check.Positive(security.GetInt("max-failed-logins", 10), "jdmail.security.max-failed-logins"),
        Check.Positive(security.GetTimeSpan("failed-login-window", TimeSpan.FromMinutes(10)), "jdmail.security.failed-login-window"),
        security.GetTimeSpan("failed-login-delay", TimeSpan.FromSeconds(1)));
}
