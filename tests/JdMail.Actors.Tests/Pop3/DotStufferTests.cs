using System.Text;
using JdMail.Actors.Pop3;

namespace JdMail.Actors.Tests.Pop3;

public class DotStufferTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);
    private static string S(byte[] b) => Encoding.Latin1.GetString(b);

    /// <summary>Feeds <paramref name="input"/> in chunks of <paramref name="chunk"/> bytes, then finishes.</summary>
    private static byte[] Stuff(byte[] input, long? top = null, int chunk = int.MaxValue)
    {
        var stuffer = new DotStuffer(top);
        var output = new MemoryStream();
        for (var i = 0; i < input.Length && !stuffer.Done; i += chunk)
        {
            var piece = input.AsSpan(i, Math.Min(chunk, input.Length - i));
            var buffer = new byte[DotStuffer.MaxOutput(piece.Length)];
            output.Write(buffer, 0, stuffer.Process(piece, buffer));
        }
        var tail = new byte[DotStuffer.FinishBytes];
        output.Write(tail, 0, stuffer.Finish(tail));
        return output.ToArray();
    }

    /// <summary>What a client does (RFC 1939 §3): stop at "." CRLF, drop one leading "." from other lines.</summary>
    private static byte[] Unstuff(byte[] wire)
    {
        var text = S(wire);
        Assert.EndsWith("\r\n.\r\n", "\r\n" + text);
        var body = new StringBuilder();
        foreach (var line in text[..^3].Split("\r\n")[..^1])
            body.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        return B(body.ToString());
    }

    [Fact]
    public void A_line_starting_with_a_dot_gets_exactly_one_more_dot() =>
        Assert.Equal("a\r\n..b\r\n...c\r\nd.e\r\n.\r\n", S(Stuff(B("a\r\n.b\r\n..c\r\nd.e\r\n"))));

    [Fact]
    public void A_dot_on_the_first_line_and_a_lone_dot_line_are_stuffed() =>
        Assert.Equal("..x\r\n..\r\ny\r\n.\r\n", S(Stuff(B(".x\r\n.\r\ny\r\n"))));

    [Fact]
    public void An_empty_message_is_just_the_terminator() => Assert.Equal(".\r\n", S(Stuff([])));

    [Fact]
    public void A_last_line_without_crlf_is_completed_before_the_terminator()
    {
        Assert.Equal("a\r\nlast\r\n.\r\n", S(Stuff(B("a\r\nlast"))));
        Assert.Equal("a\r\n..\r\n.\r\n", S(Stuff(B("a\r\n."))));
        Assert.Equal("a\r\nb\r\n.\r\n", S(Stuff(B("a\r\nb\r"))));
    }

    [Fact]
    public void A_bare_lf_ends_a_line_on_the_wire_and_a_dot_after_it_is_stuffed() =>
        Assert.Equal("a\r\n..\r\nb\r\n.\r\n", S(Stuff(B("a\n.\r\nb\r\n"))));

    [Fact]
    public void A_bare_cr_inside_a_line_passes_through() => Assert.Equal("a\rb\r\n.\r\n", S(Stuff(B("a\rb\r\n"))));

    [Fact]
    public void Eight_bit_and_other_bytes_pass_through_untouched()
    {
        var all = Enumerable.Range(0, 256).Where(b => b is not ('\r' or '\n' or '.')).Select(b => (byte)b).ToArray();
        var input = all.Concat(B("\r\n")).ToArray();
        Assert.Equal(input.Concat(B(".\r\n")), Stuff(input));
    }

    [Fact]
    public void Every_chunk_size_gives_the_same_output()
    {
        var input = B(".start\r\nline\r\n.\r\n..two\r\nbare\n.after bare\r\n\r\n.\r\r\n\u00e9\u00ff.\r\nend.");
        var whole = Stuff(input);
        for (var chunk = 1; chunk <= input.Length; chunk++)
            Assert.Equal(whole, Stuff(input, chunk: chunk));
    }

    [Fact]
    public void A_chunk_boundary_between_cr_and_lf_or_before_a_dot_changes_nothing()
    {
        var stuffer = new DotStuffer();
        var output = new List<byte>();
        foreach (var piece in new[] { "a\r", "\n", ".", "b\r\n" })
        {
            var buffer = new byte[DotStuffer.MaxOutput(piece.Length)];
            output.AddRange(buffer.AsSpan(0, stuffer.Process(B(piece), buffer)).ToArray());
        }
        Assert.Equal("a\r\n..b\r\n", S(output.ToArray()));
    }

    [Fact]
    public void Unstuffing_gives_back_random_crlf_messages_at_random_chunk_sizes()
    {
        var random = new Random(1939);
        for (var round = 0; round < 200; round++)
        {
            var message = new List<byte>();
            var lines = random.Next(0, 30);
            for (var l = 0; l < lines; l++)
            {
                var length = random.Next(0, 12);
                for (var i = 0; i < length; i++)
                {
                    // Dots are frequent, CR and LF never appear inside a line.
                    var b = random.Next(4) == 0 ? (byte)'.' : (byte)random.Next(256);
                    message.Add(b is (byte)'\r' or (byte)'\n' ? (byte)'x' : b);
                }
                message.AddRange(B("\r\n"));
            }
            var original = message.ToArray();
            Assert.Equal(original, Unstuff(Stuff(original, chunk: random.Next(1, 20))));
        }
    }

    [Fact]
    public void Top_zero_sends_the_header_and_the_blank_line_only() =>
        Assert.Equal("Subject: x\r\nFrom: a\r\n\r\n.\r\n", S(Stuff(B("Subject: x\r\nFrom: a\r\n\r\nbody 1\r\nbody 2\r\n"), top: 0)));

    [Fact]
    public void Top_counts_body_lines_and_stuffs_them()
    {
        var message = B("Subject: x\r\n\r\n.one\r\ntwo\r\nthree\r\n");
        Assert.Equal("Subject: x\r\n\r\n..one\r\ntwo\r\n.\r\n", S(Stuff(message, top: 2)));
        for (var chunk = 1; chunk <= message.Length; chunk++)
            Assert.Equal("Subject: x\r\n\r\n..one\r\ntwo\r\n.\r\n", S(Stuff(message, top: 2, chunk: chunk)));
    }

    [Fact]
    public void Top_beyond_the_end_sends_the_whole_message()
    {
        Assert.Equal("H: v\r\n\r\nbody\r\n.\r\n", S(Stuff(B("H: v\r\n\r\nbody"), top: 10)));
        Assert.Equal("H: v\r\nI: w\r\n.\r\n", S(Stuff(B("H: v\r\nI: w\r\n"), top: 0)));
    }

    [Fact]
    public void Process_refuses_an_output_buffer_that_could_overflow() =>
        Assert.Throws<ArgumentException>(() => new DotStuffer().Process(B("abc"), new byte[5]));

    [Fact]
    public async Task Copy_streams_in_chunks_and_matches_the_in_memory_result()
    {
        var input = B(string.Concat(Enumerable.Range(0, 5000).Select(i => i % 7 == 0 ? $".line {i}\r\n" : $"line {i}\r\n")) + "tail");
        var wire = new MemoryStream();
        await DotStuffer.CopyAsync(new MemoryStream(input), wire, null, chunkSize: 333);
        Assert.Equal(Stuff(input), wire.ToArray());
        Assert.Equal(B(S(input) + "\r\n"), Unstuff(wire.ToArray()));
    }

    [Fact]
    public async Task Copy_stops_reading_once_the_top_limit_is_reached()
    {
        var input = B("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat("0123456789\r\n", 100_000)));
        var source = new MemoryStream(input);
        var wire = new MemoryStream();
        await DotStuffer.CopyAsync(source, wire, bodyLines: 1, chunkSize: 64);
        Assert.Equal("Subject: big\r\n\r\n0123456789\r\n.\r\n", S(wire.ToArray()));
        Assert.True(source.Position < 1024, $"read {source.Position} bytes of {input.Length}");
    }
}
