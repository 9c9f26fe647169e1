using System.Text;
using JdMail.Actors.Smtp;

namespace JdMail.Actors.Tests.Smtp;

public sealed class DataReaderTests
{
    /// <summary>Feeds <paramref name="input"/> in chunks of <paramref name="chunk"/> bytes.</summary>
    private static (string Body, bool Finished, string Remainder) Read(string input, int chunk)
    {
        var output = new MemoryStream();
        var reader = new DataReader(s => output.Write(s));
        var bytes = Encoding.Latin1.GetBytes(input);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            var part = bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i));
            var (used, finished) = reader.Consume(part);
            if (finished)
            {
                var rest = Encoding.Latin1.GetString(bytes.AsSpan(i + used));
                return (Encoding.Latin1.GetString(output.ToArray()), true, rest);
            }
            Assert.Equal(part.Length, used);
        }
        return (Encoding.Latin1.GetString(output.ToArray()), false, "");
    }

    public static IEnumerable<object[]> Chunks() => new[] { 1, 2, 3, 5, 7, 64, 4096 }.Select(c => new object[] { c });

    [Theory, MemberData(nameof(Chunks))]
    public void Unstuffs_leading_dots_and_stops_at_the_terminator_whatever_the_chunking(int chunk)
    {
        var (body, finished, rest) = Read("Subject: x\r\n\r\n..dot line\r\n...\r\nplain\r\n.\r\nQUIT\r\n", chunk);
        Assert.True(finished);
        Assert.Equal("Subject: x\r\n\r\n.dot line\r\n..\r\nplain\r\n", body);
        Assert.Equal("QUIT\r\n", rest);
    }

    [Theory, MemberData(nameof(Chunks))]
    public void An_empty_message_is_just_the_terminator(int chunk)
    {
        var (body, finished, rest) = Read(".\r\n", chunk);
        Assert.True(finished);
        Assert.Equal("", body);
        Assert.Equal("", rest);
    }

    [Theory, MemberData(nameof(Chunks))]
    public void Bare_lf_dot_lf_never_ends_the_message(int chunk)
    {
        // SMTP smuggling: "\n.\n" and "\r\n.\n" and "\n.\r\n" are data, not the end.
        var (body, finished, _) = Read("a\n.\nb\r\n.\nc\n.\r\nd\r\n", chunk);
        Assert.False(finished);
        Assert.Equal("a\n.\nb\r\n\nc\n.\r\nd\r\n", body);
    }

    [Theory, MemberData(nameof(Chunks))]
    public void Eight_bit_and_nul_bytes_pass_through(int chunk)
    {
        var (body, finished, _) = Read("caf\u00e9 \u0000 \u00ff\r\n.\r\n", chunk);
        Assert.True(finished);
        Assert.Equal("caf\u00e9 \u0000 \u00ff\r\n", body);
    }

    [Fact]
    public void A_dot_cr_not_followed_by_lf_keeps_the_cr()
    {
        var (body, finished, _) = Read(".\rx\r\n.\r\n", 1);
        Assert.True(finished);
        Assert.Equal("\rx\r\n", body);
    }
}
