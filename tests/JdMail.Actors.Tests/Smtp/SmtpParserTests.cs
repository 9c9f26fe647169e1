using System.Text;
using JdMail.Actors.Smtp;

namespace JdMail.Actors.Tests.Smtp;

public sealed class SmtpParserTests
{
    private static SmtpCommand Parse(string line) => SmtpParser.Parse(Encoding.Latin1.GetBytes(line));

    [Theory]
    [InlineData("EHLO client.example", "client.example", true)]
    [InlineData("ehlo [127.0.0.1]", "[127.0.0.1]", true)]
    [InlineData("HELO host", "host", false)]
    public void Ehlo_and_helo_take_the_domain_and_are_case_insensitive(string line, string domain, bool extended)
    {
        var c = Assert.IsType<EhloCommand>(Parse(line));
        Assert.Equal(domain, c.Domain);
        Assert.Equal(extended, c.Extended);
    }

    [Fact]
    public void Ehlo_without_a_domain_is_a_syntax_error() =>
        Assert.Equal(501, Assert.IsType<InvalidCommand>(Parse("EHLO")).Reply.Code);

    [Theory]
    [InlineData("MAIL FROM:<alice@example.test>", "alice@example.test", null, false)]
    [InlineData("mail from: <alice@example.test> SIZE=1000 BODY=8BITMIME", "alice@example.test", 1000L, true)]
    [InlineData("MAIL FROM:<>", "", null, false)]
    [InlineData("MAIL FROM:<@relay.example:bob@example.test>", "bob@example.test", null, false)]
    [InlineData("MAIL FROM:<\"odd name\"@example.test> AUTH=<>", "\"odd name\"@example.test", null, false)]
    public void Mail_from_accepts_paths_and_known_parameters(string line, string path, long? size, bool eightBit)
    {
        var c = Assert.IsType<MailCommand>(Parse(line));
        Assert.Equal(path, c.ReversePath);
        Assert.Equal(size, c.Size);
        Assert.Equal(eightBit, c.EightBit);
    }

    [Theory]
    [InlineData("MAIL FROM:alice@example.test", 501)]        // brackets are required
    [InlineData("MAIL FROM:<alice>", 501)]                   // no domain
    [InlineData("MAIL FROM:<a@b..c>", 501)]
    [InlineData("MAIL FROM:<alice@example.test> SIZE=abc", 555)]
    [InlineData("MAIL FROM:<alice@example.test> SMTPUTF8", 555)]
    [InlineData("MAIL TO:<alice@example.test>", 501)]
    public void Bad_mail_commands_get_the_right_code(string line, int code) =>
        Assert.Equal(code, Assert.IsType<InvalidCommand>(Parse(line)).Reply.Code);

    [Fact]
    public void Rcpt_accepts_postmaster_without_domain_and_refuses_parameters()
    {
        Assert.Equal("postmaster", Assert.IsType<RcptCommand>(Parse("RCPT TO:<Postmaster>")).ForwardPath);
        Assert.Equal("bob@example.test", Assert.IsType<RcptCommand>(Parse("RCPT TO:<bob@example.test>")).ForwardPath);
        Assert.Equal(555, Assert.IsType<InvalidCommand>(Parse("RCPT TO:<bob@example.test> NOTIFY=NEVER")).Reply.Code);
        Assert.Equal(501, Assert.IsType<InvalidCommand>(Parse("RCPT TO:<>")).Reply.Code);
    }

    [Fact]
    public void An_over_long_local_part_is_refused() =>
        Assert.IsType<InvalidCommand>(Parse($"RCPT TO:<{new string('a', 65)}@example.test>"));

    [Theory]
    [InlineData("AUTH PLAIN", "PLAIN", null)]
    [InlineData("auth plain AGEAYg==", "PLAIN", "AGEAYg==")]
    [InlineData("AUTH LOGIN", "LOGIN", null)]
    public void Auth_takes_a_mechanism_and_an_optional_initial_response(string line, string mech, string? initial)
    {
        var c = Assert.IsType<AuthCommand>(Parse(line));
        Assert.Equal(mech, c.Mechanism);
        Assert.Equal(initial, c.InitialResponse);
    }

    [Theory]
    [InlineData("DATA")] [InlineData("RSET")] [InlineData("NOOP")] [InlineData("NOOP anything")] [InlineData("QUIT")]
    [InlineData("STARTTLS")] [InlineData("HELP")] [InlineData("VRFY bob")]
    public void Simple_verbs_parse(string line) => Assert.IsNotType<InvalidCommand>(Parse(line));

    [Theory]
    [InlineData("DATA now")] [InlineData("STARTTLS please")] [InlineData("QUIT x")]
    public void Simple_verbs_with_arguments_are_syntax_errors(string line) =>
        Assert.Equal(501, Assert.IsType<InvalidCommand>(Parse(line)).Reply.Code);

    [Fact]
    public void Unknown_verbs_and_8_bit_bytes_are_refused()
    {
        Assert.Equal(500, Assert.IsType<InvalidCommand>(Parse("XYZZY")).Reply.Code);
        Assert.Equal(SmtpReply.BadCharacters, Assert.IsType<InvalidCommand>(SmtpParser.Parse("MAIL FROM:<é@x.test>"u8.ToArray())).Reply);
        Assert.Equal(SmtpReply.BadCharacters, Assert.IsType<InvalidCommand>(Parse("NOOP\u0000")).Reply);
    }

    [Fact]
    public void A_size_beyond_64_bits_is_too_large_not_a_syntax_error() =>
        Assert.Equal(long.MaxValue, Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.test> SIZE=99999999999999999999999")).Size);
}
