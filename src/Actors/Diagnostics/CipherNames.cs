using System.Net.Security;
using System.Security.Authentication;

namespace JdMail.Actors.Diagnostics;

/// <summary>
/// .NET names cipher suites by their IANA names (<see cref="TlsCipherSuite"/>); OpenSSL prints its own names for TLS 1.2
/// suites (ECDHE-ECDSA-AES256-GCM-SHA384) and the IANA names for TLS 1.3 ones. Diagnostics show both, so an
/// administrator can compare with <c>openssl s_client</c>. The table holds the suites OpenSSL 1.1.1/3.x offers by
/// default for TLS 1.2 (checked against <c>openssl ciphers -stdname</c> in the tests).
/// </summary>
public static class CipherNames
{
    private static readonly Dictionary<string, string> IanaToOpenSsl = new(StringComparer.Ordinal)
    {
        ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"] = "ECDHE-ECDSA-AES256-GCM-SHA384",
        ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] = "ECDHE-ECDSA-AES128-GCM-SHA256",
        ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] = "ECDHE-RSA-AES256-GCM-SHA384",
        ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] = "ECDHE-RSA-AES128-GCM-SHA256",
        ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"] = "ECDHE-ECDSA-CHACHA20-POLY1305",
        ["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"] = "ECDHE-RSA-CHACHA20-POLY1305",
        ["TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"] = "DHE-RSA-AES256-GCM-SHA384",
        ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"] = "DHE-RSA-AES128-GCM-SHA256",
        ["TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"] = "DHE-RSA-CHACHA20-POLY1305",
        ["TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"] = "ECDHE-ECDSA-AES256-SHA384",
        ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"] = "ECDHE-ECDSA-AES128-SHA256",
        ["TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"] = "ECDHE-RSA-AES256-SHA384",
        ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"] = "ECDHE-RSA-AES128-SHA256",
        ["TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"] = "ECDHE-ECDSA-AES256-SHA",
        ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"] = "ECDHE-ECDSA-AES128-SHA",
        ["TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"] = "ECDHE-RSA-AES256-SHA",
        ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"] = "ECDHE-RSA-AES128-SHA",
        ["TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"] = "DHE-RSA-AES256-SHA256",
        ["TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"] = "DHE-RSA-AES128-SHA256",
        ["TLS_DHE_RSA_WITH_AES_256_CBC_SHA"] = "DHE-RSA-AES256-SHA",
        ["TLS_DHE_RSA_WITH_AES_128_CBC_SHA"] = "DHE-RSA-AES128-SHA",
        ["TLS_RSA_WITH_AES_256_GCM_SHA384"] = "AES256-GCM-SHA384",
        ["TLS_RSA_WITH_AES_128_GCM_SHA256"] = "AES128-GCM-SHA256",
        ["TLS_RSA_WITH_AES_256_CBC_SHA256"] = "AES256-SHA256",
        ["TLS_RSA_WITH_AES_128_CBC_SHA256"] = "AES128-SHA256",
        ["TLS_RSA_WITH_AES_256_CBC_SHA"] = "AES256-SHA",
        ["TLS_RSA_WITH_AES_128_CBC_SHA"] = "AES128-SHA",
    };

    /// <summary>The suites the table knows, IANA name to OpenSSL name.</summary>
    public static IReadOnlyDictionary<string, string> Known => IanaToOpenSsl;

    /// <summary>The IANA name .NET reports.</summary>
    public static string Iana(TlsCipherSuite suite) => suite.ToString();

    /// <summary>OpenSSL's name for an IANA name: TLS 1.3 suites keep it; unknown TLS 1.2 suites fall back to it.</summary>
    public static string OpenSsl(string iana) => IanaToOpenSsl.TryGetValue(iana, out var name) ? name : iana;

    /// <summary>"TLSv1.3" etc., as <c>openssl s_client</c> prints the protocol.</summary>
    public static string Protocol(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
#pragma warning disable CS0618, SYSLIB0039 // naming old versions only, never enabling them
        SslProtocols.Tls11 => "TLSv1.1",
        SslProtocols.Tls => "TLSv1",
#pragma warning restore CS0618, SYSLIB0039
        _ => protocol.ToString(),
    };
}
