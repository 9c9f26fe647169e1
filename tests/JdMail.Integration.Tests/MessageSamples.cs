using System.Text;

namespace JdMail.Integration.Tests;

/// <summary>Messages the round-trip tests send: 8-bit body, a line that starts with ".", a line that is only ".".</summary>
public static class MessageSamples
{
    public static byte[] EightBitWithDots(string from, string to, string subject) => Encoding.UTF8.GetBytes(
        $"From: <{from}>\r\n" +
        $"To: <{to}>\r\n" +
        $"Subject: {subject}\r\n" +
        "Message-ID: <" + Guid.NewGuid().ToString("N") + "@example.test>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        "Grüße aus Zürich, 你好, ça va.\r\n" +
        ".a line that starts with a dot\r\n" +
        "..two dots\r\n" +
        ".\r\n" +
        "after a lone dot line\r\n");

    /// <summary>Strips the Received: trace field JdMail put in front (first header, folded lines included).</summary>
    public static byte[] WithoutOurReceived(byte[] stored)
    {
        var text = Encoding.Latin1.GetString(stored);
        Assert.StartsWith("Received: from ", text);
        var i = text.IndexOf("\r\n", StringComparison.Ordinal);
        while (i >= 0 && i + 2 < text.Length && (text[i + 2] == '\t' || text[i + 2] == ' '))
            i = text.IndexOf("\r\n", i + 2, StringComparison.Ordinal);
        return stored.AsSpan(i + 2).ToArray();
    }
}
