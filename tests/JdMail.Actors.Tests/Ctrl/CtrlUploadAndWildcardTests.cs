using System.Text;
using JdMail.Actors.Ctrl;

namespace JdMail.Actors.Tests.Ctrl;

public sealed class CtrlUploadReaderTests
{
    [Fact]
    public void Lines_are_unstuffed_and_the_single_dot_ends_the_upload()
    {
        var r = new CtrlUploadReader(1024);
        var data = Encoding.ASCII.GetBytes("line one\r\n..starts with a dot\r\n.\r\nnoop\r\n");
        var (used, finished) = r.Consume(data);
        Assert.True(finished);
        Assert.Equal("line one\r\n.starts with a dot\r\n", Encoding.ASCII.GetString(r.Body));
        Assert.Equal("noop\r\n", Encoding.ASCII.GetString(data.AsSpan(used)));
    }

    [Fact]
    public void An_upload_split_across_reads_is_put_together()
    {
        var r = new CtrlUploadReader(1024);
        Assert.False(r.Consume("abc"u8).Finished);
        Assert.False(r.Consume("def\n."u8).Finished);
        Assert.True(r.Consume("\n"u8).Finished);
        Assert.Equal("abcdef\r\n", Encoding.ASCII.GetString(r.Body));
    }

    [Fact]
    public void An_upload_that_stops_before_the_final_dot_yields_nothing()
    {
        var r = new CtrlUploadReader(1024);
        Assert.False(r.Consume("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n"u8).Finished);
        Assert.False(r.Finished);
        Assert.Empty(r.Body);
    }

    [Fact]
    public void An_upload_over_the_limit_is_read_to_its_end_and_marked_too_large()
    {
        var r = new CtrlUploadReader(10);
        var (used, finished) = r.Consume(Encoding.ASCII.GetBytes(new string('x', 50) + "\r\nmore\r\n.\r\nnoop\r\n"));
        Assert.True(finished);
        Assert.True(r.TooLarge);
        Assert.Empty(r.Body);
        Assert.Equal(50 + 2 + 6 + 3, used);
    }
}

public sealed class CtrlWildcardTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*.test", "mail.example.test", true)]
    [InlineData("*.test", "example.org", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("EXAMPLE.*", "example.test", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("", "", true)]
    public void Star_and_question_mark_match_case_insensitively(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, CtrlWildcard.IsMatch(pattern, text));
    }
}

public sealed class CtrlResponseTests
{
    [Fact]
    public void A_list_is_the_result_line_then_stuffed_lines_then_a_single_dot()
    {
        var wire = CtrlResponse.Rows([["example.test", "joe", "U"]]).ToWire();
        Assert.Equal("+00100 OK\r\n\"example.test\"\t\"joe\"\t\"U\"\r\n.\r\n", wire);
        Assert.Equal("+00100 OK\r\n..dot\r\nplain\r\n.\r\n", CtrlResponse.FileLines([".dot", "plain"]).ToWire());
    }

    [Fact]
    public void Results_are_five_digit_codes_with_a_sign()
    {
        Assert.Equal("+00000 OK\r\n", CtrlResponse.Done.ToWire());
        Assert.Equal("-00012 User not found\r\n", CtrlResponse.Fail(CtrlReply.UserNotFound).ToWire());
        Assert.Equal("-01002", CtrlReply.TooManyFailedLogins.ToString()[..6]);
    }
}
