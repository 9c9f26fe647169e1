using System.Text;
using JdMail.Actors.Net;

namespace JdMail.Actors.Tests.Net;

public sealed class LineReaderTests
{
    [Fact]
    public void Returns_lines_without_terminators_across_appends()
    {
        var r = new LineReader(100);
        r.Append("EHLO a\r\nNO"u8);
        Assert.Equal(LineStatus.Line, r.TryReadLine(out var line));
        Assert.Equal("EHLO a", Encoding.ASCII.GetString(line));
        Assert.Equal(LineStatus.NeedMore, r.TryReadLine(out _));
        r.Append("OP\nQUIT\r\n"u8);
        Assert.Equal(LineStatus.Line, r.TryReadLine(out line));
        Assert.Equal("NOOP", Encoding.ASCII.GetString(line));
        Assert.Equal(LineStatus.Line, r.TryReadLine(out line));
        Assert.Equal("QUIT", Encoding.ASCII.GetString(line));
        Assert.Equal(0, r.Buffered);
    }

    [Fact]
    public void A_line_past_the_cap_is_too_long_with_or_without_its_end()
    {
        var r = new LineReader(10);
        r.Append("0123456789"u8);
        Assert.Equal(LineStatus.TooLong, r.TryReadLine(out _));
        var r2 = new LineReader(10);
        r2.Append("0123456789AB\r\n"u8);
        Assert.Equal(LineStatus.TooLong, r2.TryReadLine(out _));
        var r3 = new LineReader(10);
        r3.Append("01234567\r\n"u8);
        Assert.Equal(LineStatus.Line, r3.TryReadLine(out _));
    }

    [Fact]
    public void Take_remaining_hands_over_pipelined_bytes()
    {
        var r = new LineReader(100);
        r.Append("DATA\r\nSubject: x\r\n"u8);
        Assert.Equal(LineStatus.Line, r.TryReadLine(out _));
        Assert.Equal("Subject: x\r\n", Encoding.ASCII.GetString(r.TakeRemaining()));
        Assert.Equal(0, r.Buffered);
    }
}
