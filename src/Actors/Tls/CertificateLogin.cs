using System.Security.Cryptography.X509Certificates;
using JdMail.Actors.Settings;
using Org.BouncyCastle.X509;

namespace JdMail.Actors.Tls;

/// <summary>
/// The account a trusted client certificate stands for (SASL EXTERNAL, RFC 4422 Appendix A): by default the
/// e-mail address in its subjectAltName (rfc822Name), or the subject's emailAddress attribute. A certificate
/// names at most one account; with several addresses the first one is used.
/// </summary>
public static class CertificateLogin
{
    public static string? AccountFor(X509Certificate2 certificate, CertificateLoginRule rule)
    {
        switch (rule)
        {
            case CertificateLoginRule.SanEmail:
                var bc = new X509CertificateParser().ReadCertificate(certificate.RawData);
                foreach (var entry in bc.GetSubjectAlternativeNames() ?? [])
                    if (entry.Count >= 2 && entry[0] is int kind && kind == 1 && entry[1] is string email)   // 1 = rfc822Name
                        return email.ToLowerInvariant();
                return null;
            case CertificateLoginRule.SubjectEmail:
                var e = certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false);
                return string.IsNullOrEmpty(e) ? null : e.ToLowerInvariant();
            default:
                return null;
        }
    }
}
