using System.Text;
using JdMail.Actors.Outbound;

namespace JdMail.Actors.Tests.Outbound;

public sealed class SmtpDataEncoderTests
{
    private static string Wire(string stored) => Encoding.Latin1.GetString(SmtpDataEncoder.EncodeAll(Encoding.Latin1.GetBytes(stored)));

    [Theory]
    [InlineData("a\r\nb\r\n", "a\r\nb\r\n.\r\n")]
    [InlineData("a\nb\n", "a\r\nb\r\n.\r\n")]
    [InlineData("a\rb\r", "a\r\nb\r\n.\r\n")]
    [InlineData("a\r\rb", "a\r\n\r\nb\r\n.\r\n")]
    [InlineData("a\n\rb", "a\r\n\r\nb\r\n.\r\n")]
    [InlineData("no final line end", "no final line end\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public void Bare_LF_and_bare_CR_become_CRLF_and_the_data_always_ends_with_a_line_end_and_dot(string stored, string wire) =>
        Assert.Equal(wire, Wire(stored));

    [Theory]
    [InlineData(".starts with a dot\r\n", "..starts with a dot\r\n.\r\n")]
    [InlineData("x\r\n.\r\ny\r\n", "x\r\n..\r\ny\r\n.\r\n")]
    [InlineData("..\r\n", "...\r\n.\r\n")]
    [InlineData("a.b\r\n", "a.b\r\n.\r\n")]
    public void A_line_that_starts_with_a_dot_gets_one_more_dot(string stored, string wire) => Assert.Equal(wire, Wire(stored));

    [Theory]
    [InlineData("x\n.\ny\n")]
    [InlineData("x\r.\ry\r")]
    [InlineData("x\n.\r\ny\r\n")]
    [InlineData("x\r\n.\ny\n")]
    [InlineData("x\r.\r\ny")]
    public void A_stored_bare_line_end_around_a_dot_can_never_end_the_data_early(string stored)
    {
        var wire = Wire(stored);
        // The only CRLF "." CRLF is the terminator, and the lone dot inside came out stuffed.
        Assert.Equal(wire.Length - 5, wire.IndexOf("\r\n.\r\n", StringComparison.Ordinal));
        Assert.Contains("\r\n..\r\n", wire);
        AssertWellFormed(wire);
    }

    [Fact]
    public void Every_chunk_split_gives_the_same_bytes_as_one_chunk()
    {
        var stored = Encoding.Latin1.GetBytes(".a\r\nb\n.\rc\r\r\n\n..d\r.e\n.");
        var whole = SmtpDataEncoder.EncodeAll(stored);
        for (var i = 0; i <= stored.Length; i++)
        for (var j = i; j <= stored.Length; j++)
        {
            var enc = new SmtpDataEncoder();
            var output = new List<byte>();
            var part = new List<byte>();
            foreach (var (from, to) in new[] { (0, i), (i, j), (j, stored.Length) })
            {
                enc.Encode(stored.AsSpan(from, to - from), part);
                output.AddRange(part);
            }
            enc.Finish(part);
            output.AddRange(part);
            Assert.Equal(whole, output.ToArray());
            Assert.Equal(whole.Length, enc.BytesOut);
        }
    }

    [Fact]
    public void Random_bytes_in_random_chunks_always_give_well_formed_dot_stuffed_data_that_unstuffs_to_the_normalised_input()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var stored = new byte[random.Next(0, 300)];
            for (var k = 0; k < stored.Length; k++)
                stored[k] = random.Next(4) switch { 0 => (byte)'\r', 1 => (byte)'\n', 2 => (byte)'.', _ => (byte)random.Next(256) };
            var enc = new SmtpDataEncoder();
            var output = new List<byte>();
            var part = new List<byte>();
            var pos = 0;
            while (pos < stored.Length)
            {
                var n = Math.Min(stored.Length - pos, random.Next(1, 20));
                enc.Encode(stored.AsSpan(pos, n), part);
                output.AddRange(part);
                pos += n;
            }
            enc.Finish(part);
            output.AddRange(part);
            var wire = Encoding.Latin1.GetString(output.ToArray());
            AssertWellFormed(wire);
            // The end-of-data sequence appears exactly once, at the very end.
            if (stored.Length == 0) Assert.Equal(".\r\n", wire);
            else Assert.Equal(wire.Length - 5, wire.IndexOf("\r\n.\r\n", StringComparison.Ordinal));
            // Receiver view: strip the terminator, undo stuffing; equals the input with line ends normalised.
            var body = wire == ".\r\n" ? "" : wire[..^3];
            var unstuffed = string.Join("\r\n", body.Split("\r\n").Select(l => l.StartsWith('.') ? l[1..] : l));
            var normalised = Encoding.Latin1.GetString(stored).Replace("\r\n", "\n").Replace('\r', '\n').Replace("\n", "\r\n");
            if (normalised.Length > 0 && !normalised.EndsWith("\r\n")) normalised += "\r\n";
            Assert.Equal(normalised, unstuffed);
        }
    }

    /// <summary>Every CR is followed by LF and every LF preceded by CR.</summary>
    private static void AssertWellFormed(string wire)
    {
        for (var i = 0; i < wire.Length; i++)
        {
            if (wire[i] == '\r') Assert.True(i + 1 < wire.Length && wire[i + 1] == '\n', $"bare CR at {i}");
            if (wire[i] == '\n') Assert.True(i > 0 && wire[i - 1] == '\r', $"bare LF at {i}");
        }
        Assert.EndsWith("\r\n", wire);
    }
}
