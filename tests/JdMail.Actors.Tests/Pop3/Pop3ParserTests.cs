using System.Text;
using JdMail.Actors.Pop3;

namespace JdMail.Actors.Tests.Pop3;

public class Pop3ParserTests
{
    private static Pop3Command Parse(string line) => Pop3Parser.Parse(Encoding.ASCII.GetBytes(line));

    private static void AssertInvalid(Pop3Command command, Pop3Reply expected) =>
        Assert.Equal(expected, Assert.IsType<InvalidCommand>(command).Reply);

    [Theory]
    [InlineData("capa")]
    [InlineData("Capa")]
    [InlineData("CAPA")]
    public void Verbs_are_case_insensitive(string line) => Assert.IsType<CapaCommand>(Parse(line));

    [Fact]
    public void Every_supported_verb_parses_to_its_record()
    {
        Assert.IsType<StlsCommand>(Parse("STLS"));
        Assert.IsType<StatCommand>(Parse("stat"));
        Assert.IsType<RsetCommand>(Parse("RSET"));
        Assert.IsType<NoopCommand>(Parse("noop"));
        Assert.IsType<QuitCommand>(Parse("QUIT"));
        Assert.Equal(new UserCommand("alice@example.test"), Parse("USER alice@example.test"));
        Assert.Equal(new RetrCommand(3), Parse("retr 3"));
        Assert.Equal(new DeleCommand(12), Parse("DELE 12"));
        Assert.Equal(new TopCommand(2, 0), Parse("TOP 2 0"));
    }

    [Fact]
    public void List_and_uidl_take_an_optional_message_number()
    {
        Assert.Equal(new ListCommand(null), Parse("LIST"));
        Assert.Equal(new ListCommand(7), Parse("LIST 7"));
        Assert.Equal(new UidlCommand(null), Parse("UIDL"));
        Assert.Equal(new UidlCommand(1), Parse("uidl 1"));
    }

    [Theory]
    [InlineData("LIST -1")]
    [InlineData("LIST +1")]
    [InlineData("LIST 0x1")]
    [InlineData("LIST 1 2")]
    [InlineData("LIST 12345678901")]
    [InlineData("RETR")]
    [InlineData("RETR one")]
    [InlineData("RETR 1 2")]
    [InlineData("DELE")]
    [InlineData("TOP 1")]
    [InlineData("TOP 1 -1")]
    [InlineData("TOP 1 2 3")]
    [InlineData("UIDL x")]
    public void Message_numbers_must_be_plain_decimal_digits(string line) => AssertInvalid(Parse(line), Pop3Reply.SyntaxError);

    [Fact]
    public void Message_number_zero_parses_and_is_left_to_the_mailbox_to_refuse() => Assert.Equal(new RetrCommand(0), Parse("RETR 0"));

    [Theory]
    [InlineData("STAT 1")]
    [InlineData("QUIT now")]
    [InlineData("STLS please")]
    [InlineData("CAPA x")]
    [InlineData("NOOP 1")]
    [InlineData("RSET 1")]
    [InlineData("USER")]
    [InlineData("USER a b")]
    [InlineData("PASS")]
    [InlineData("AUTH PLAIN a b")]
    public void Wrong_argument_counts_are_syntax_errors(string line) => AssertInvalid(Parse(line), Pop3Reply.SyntaxError);

    [Fact]
    public void Pass_keeps_spaces_inside_the_password() =>
        Assert.Equal("correct horse battery", Assert.IsType<PassCommand>(Parse("PASS correct horse battery")).Password);

    [Fact]
    public void Pass_never_shows_the_password_in_its_text() =>
        Assert.DoesNotContain("hunter2", Parse("PASS hunter2").ToString());

    [Fact]
    public void Auth_without_mechanism_asks_for_the_list_and_mechanisms_are_upper_cased()
    {
        Assert.Equal(new AuthCommand(null, null), Parse("AUTH"));
        Assert.Equal(new AuthCommand("PLAIN", null), Parse("auth plain"));
        Assert.Equal(new AuthCommand("PLAIN", "AGEAYg=="), Parse("AUTH PLAIN AGEAYg=="));
    }

    [Fact]
    public void Auth_initial_response_never_shows_in_its_text() =>
        Assert.DoesNotContain("AGEAYg==", Parse("AUTH PLAIN AGEAYg==").ToString());

    [Theory]
    [InlineData(new byte[] { (byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xC3, 0xA9 })]
    [InlineData(new byte[] { (byte)'S', (byte)'T', (byte)'A', (byte)'T', 0 })]
    [InlineData(new byte[] { (byte)'N', (byte)'O', (byte)'O', (byte)'P', (byte)'\r' })]
    [InlineData(new byte[] { 0x7F })]
    public void Non_ascii_and_control_bytes_are_refused(byte[] line) =>
        AssertInvalid(Pop3Parser.Parse(line), Pop3Reply.BadCharacters);

    [Theory]
    [InlineData("")]
    [InlineData("HELO there")]
    [InlineData("XTND XMIT")]
    public void Unknown_verbs_are_refused(string line) => AssertInvalid(Parse(line), Pop3Reply.UnknownCommand);

    [Fact]
    public void Apop_is_refused_with_an_explanation() => AssertInvalid(Parse("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), Pop3Reply.ApopNotSupported);
}
