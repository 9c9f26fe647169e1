using System.Text;

namespace JdMail.Actors.Sasl;

/// <summary>Decoded SASL credentials: who logs in, and as whom (empty authorization = the same identity).</summary>
public sealed record SaslCredentials(string AuthorizationId, string AuthenticationId, string Password);

/// <summary>SASL PLAIN (RFC 4616) and LOGIN message decoding, shared by SMTP AUTH and POP3 AUTH.</summary>
public static class SaslPlain
{
    /// <summary>Decodes a base64 PLAIN message "[authzid] NUL authcid NUL passwd"; null when malformed.</summary>
    public static SaslCredentials? Decode(string base64)
    {
        var bytes = DecodeBase64(base64);
        if (bytes is null) return null;
        var parts = Split(bytes);
        if (parts is null) return null;
        var (authz, authc, pass) = parts.Value;
        if (authc.Length == 0 || pass.Length == 0 || authc.Length > 255 || pass.Length > 255) return null;
        return new SaslCredentials(authz, authc, pass);
    }

    /// <summary>
    /// RFC 4616 §2: the server must check that the authorization identity, when given, is one the authenticated
    /// user may act as. JdMail lets a user act only as themselves.
    /// </summary>
    public static bool AuthorizationAllowed(SaslCredentials c) =>
        c.AuthorizationId.Length == 0 || string.Equals(c.AuthorizationId, c.AuthenticationId, StringComparison.OrdinalIgnoreCase);

    /// <summary>Base64 to bytes; "=" is the empty response (RFC 4954 §4). Null when not base64.</summary>
    public static byte[]? DecodeBase64(string text)
    {
        if (text == "=") return [];
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { return null; }
    }

    public static string? DecodeUtf8(string base64)
    {
        var bytes = DecodeBase64(base64);
        if (bytes is null) return null;
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    private static (string, string, string)? Split(byte[] bytes)
    {
        var first = Array.IndexOf(bytes, (byte)0);
        if (first < 0) return null;
        var second = Array.IndexOf(bytes, (byte)0, first + 1);
        if (second < 0 || Array.IndexOf(bytes, (byte)0, second + 1) >= 0) return null;
        var utf8 = new UTF8Encoding(false, true);
        try
        {
            return (utf8.GetString(bytes, 0, first), utf8.GetString(bytes, first + 1, second - first - 1),
                    utf8.GetString(bytes, second + 1, bytes.Length - second - 1));
        }
        catch (DecoderFallbackException) { return null; }
    }
}
