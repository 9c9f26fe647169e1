using System.Text;

namespace JdMail.Pki;

/// <summary>Minimal RFC 7468 PEM framing: 64-column base64 lines, LF line ends.</summary>
internal static class Pem
{
    public static string Encode(string label, byte[] der)
    {
        var b64 = Convert.ToBase64String(der);
        var sb = new StringBuilder(b64.Length + 80);
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        }
        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }

    /// <summary>
    /// Every PEM block in order. Text outside blocks (OpenSSL's "subject=..." lines, comments) is ignored,
    /// as RFC 7468 §2 allows. Blocks with headers (traditional encrypted keys) are returned with Headers set.
    /// </summary>
    public static IReadOnlyList<PemBlock> Decode(string text)
    {
        var blocks = new List<PemBlock>();
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("-----BEGIN ", StringComparison.Ordinal) || !line.EndsWith("-----", StringComparison.Ordinal))
            {
                continue;
            }
            var label = line["-----BEGIN ".Length..^5];
            var body = new StringBuilder();
            var hasHeaders = false;
            var closed = false;
            for (i++; i < lines.Length; i++)
            {
                var l = lines[i].Trim();
                if (l == $"-----END {label}-----")
                {
                    closed = true;
                    break;
                }
                if (l.Contains(':'))
                {
                    hasHeaders = true;
                    continue;
                }
                body.Append(l);
            }
            if (!closed)
            {
                throw new PkiException($"PEM block '{label}' has no END line.");
            }
            byte[] der;
            try
            {
                der = Convert.FromBase64String(body.ToString());
            }
            catch (FormatException e)
            {
                throw new PkiException($"PEM block '{label}' is not valid base64.", e);
            }
            blocks.Add(new PemBlock(label, der, hasHeaders));
        }
        return blocks;
    }

    /// <summary>Text from bytes that may be PEM (UTF-8, optional BOM).</summary>
    public static string TextOf(byte[] bytes) => Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
}

/// <summary>One decoded PEM block.</summary>
internal sealed record PemBlock(string Label, byte[] Der, bool HasHeaders);
