using System.Text;
using JdMail.Actors.Ctrl;

namespace JdMail.Actors.Tests.Ctrl;

public sealed class CtrlTokenizerTests
{
    private static IReadOnlyList<string> Tokens(string line)
    {
        var t = CtrlTokenizer.Tokenize(Encoding.UTF8.GetBytes(line));
        Assert.True(t.IsValid, $"'{line}' was refused: {t.Error}");
        return t.Tokens;
    }

    [Fact]
    public void Consecutive_tabs_collapse_so_empty_fields_vanish()
    {
        Assert.Equal(["useradd", "a.test", "joe"], Tokens("useradd\t\t\ta.test\t\tjoe\t"));
        Assert.Equal(["noop"], Tokens("\t\tnoop"));
    }

    [Fact]
    public void An_empty_value_is_sent_as_two_quotes()
    {
        Assert.Equal(["uservarsset", "d", "u", "v", ""], Tokens("uservarsset\td\tu\tv\t\"\""));
    }

    [Fact]
    public void Quoted_tokens_are_dequoted_and_unquoted_tokens_taken_literally()
    {
        Assert.Equal(["domainadd", "a.test"], Tokens("\"domainadd\"\t\"a.test\""));
        Assert.Equal(["a\"b", "x y"], Tokens("a\"b\t\"x y\""));
    }

    [Fact]
    public void Anything_after_the_closing_quote_is_dropped_as_in_XMail()
    {
        Assert.Equal(["abc"], Tokens("\"abc\"def"));
    }

    [Fact]
    public void A_missing_closing_quote_takes_the_rest_of_the_token()
    {
        Assert.Equal(["abc", "d"], Tokens("\"abc\td"));
    }

    [Fact]
    public void Backslash_quote_is_a_literal_quote()
    {
        Assert.Equal(["say \"hi\""], Tokens("\"say \\\"hi\\\"\""));
    }

    [Fact]
    public void Backslashes_not_before_a_quote_are_literal()
    {
        Assert.Equal([@"C:\dir\\file"], Tokens("\"C:\\dir\\\\file\""));
    }

    [Fact]
    public void A_doubled_backslash_before_the_closing_quote_gives_a_trailing_backslash()
    {
        Assert.Equal([@"ends\", "next"], Tokens("\"ends\\\\\"\tnext"));
    }

    [Fact]
    public void Utf8_values_including_Chinese_are_read()
    {
        Assert.Equal(["uservarsset", "d", "u", "note", "服务器证书 for 张三"], Tokens("uservarsset\td\tu\tnote\t\"服务器证书 for 张三\""));
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_bad_characters()
    {
        var t = CtrlTokenizer.Tokenize(new byte[] { (byte)'n', 0xC3, 0x28, (byte)'x' });
        Assert.False(t.IsValid);
        Assert.Equal(190, t.Error!.Code);
    }

    [Theory]
    [InlineData("noop\u0000")]
    [InlineData("no\rop")]
    [InlineData("noop\u001b[31m")]
    public void Control_characters_other_than_tab_are_refused(string line)
    {
        var t = CtrlTokenizer.Tokenize(Encoding.UTF8.GetBytes(line));
        Assert.Equal(CtrlReply.BadCharacters, t.Error);
    }

    [Fact]
    public void A_line_over_4096_bytes_is_refused_and_one_of_exactly_4096_is_read()
    {
        var ok = CtrlTokenizer.Tokenize(Encoding.ASCII.GetBytes("noop\t" + new string('x', 4091)));
        Assert.True(ok.IsValid);
        Assert.Equal(4091, ok.Tokens[1].Length);
        var tooLong = CtrlTokenizer.Tokenize(Encoding.ASCII.GetBytes("noop\t" + new string('x', 4092)));
        Assert.Equal(CtrlReply.LineTooLong, tooLong.Error);
        Assert.Equal("-00103 Command line too long", tooLong.Error!.ToString());
    }

    [Fact]
    public void The_length_cap_counts_bytes_not_characters()
    {
        // 1366 Chinese characters are 4098 UTF-8 bytes.
        var t = CtrlTokenizer.Tokenize(Encoding.UTF8.GetBytes(new string('中', 1366)));
        Assert.Equal(CtrlReply.LineTooLong, t.Error);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("with \"quotes\" inside")]
    [InlineData(@"back\slash")]
    [InlineData(@"trailing\")]
    [InlineData(@"trailing two\\")]
    [InlineData(@"quote after backslash \""")]
    [InlineData("中文备注 \"引号\"")]
    public void Quoted_values_read_back_unchanged(string value)
    {
        var row = CtrlTokenizer.Row("a", value, "z");
        Assert.Equal(["a", value, "z"], Tokens(row));
    }

    [Fact]
    public void Rows_escape_embedded_quotes_unlike_XMail()
    {
        Assert.Equal("\"a\"\t\"say \\\"hi\\\"\"", CtrlTokenizer.Row("a", "say \"hi\""));
    }

    [Fact]
    public void Control_characters_never_break_a_row_onto_two_lines()
    {
        var row = CtrlTokenizer.Row("a\r\nb\tc");
        Assert.DoesNotContain('\n', row);
        Assert.DoesNotContain('\t', row);
        Assert.Equal(["a  b c"], Tokens(row));
    }

    [Fact]
    public void Dot_stuffing_doubles_a_leading_dot_and_unstuffing_removes_it()
    {
        Assert.Equal("..hidden", CtrlTokenizer.Stuff(".hidden"));
        Assert.Equal("plain", CtrlTokenizer.Stuff("plain"));
        Assert.Equal(".hidden", CtrlTokenizer.Unstuff("..hidden"));
        Assert.Equal("x.", CtrlTokenizer.Unstuff("x."));
    }
}
