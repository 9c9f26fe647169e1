using JdMail.Actors.Pop3;

namespace JdMail.Actors.Tests.Pop3;

public class Pop3StateTableTests
{
    [Theory]
    [InlineData("STAT")]
    [InlineData("LIST")]
    [InlineData("UIDL")]
    [InlineData("RETR")]
    [InlineData("TOP")]
    [InlineData("DELE")]
    [InlineData("RSET")]
    [InlineData("NOOP")]
    public void Transaction_commands_are_refused_before_login(string verb)
    {
        Assert.Equal(Pop3Reply.NotLoggedIn, Pop3StateTable.Check(Pop3Phase.Authorization, verb));
        Assert.Null(Pop3StateTable.Check(Pop3Phase.Transaction, verb));
    }

    [Theory]
    [InlineData("USER")]
    [InlineData("PASS")]
    [InlineData("AUTH")]
    [InlineData("STLS")]
    public void Authorization_commands_are_refused_after_login(string verb) =>
        Assert.Equal(Pop3Reply.AlreadyLoggedIn, Pop3StateTable.Check(Pop3Phase.Transaction, verb));

    [Theory]
    [InlineData("CAPA")]
    [InlineData("QUIT")]
    public void Capa_and_quit_are_accepted_before_and_after_login(string verb)
    {
        Assert.Null(Pop3StateTable.Check(Pop3Phase.Authorization, verb));
        Assert.Null(Pop3StateTable.Check(Pop3Phase.UserGiven, verb));
        Assert.Null(Pop3StateTable.Check(Pop3Phase.Transaction, verb));
    }

    [Fact]
    public void Pass_is_accepted_only_right_after_user()
    {
        Assert.Equal(Pop3Reply.UserFirst, Pop3StateTable.Check(Pop3Phase.Authorization, "PASS"));
        Assert.Null(Pop3StateTable.Check(Pop3Phase.UserGiven, "PASS"));
        Assert.Equal(Pop3Phase.UserGiven, Pop3StateTable.BeforeCommand(Pop3Phase.UserGiven, "PASS"));
        Assert.Equal(Pop3Phase.Authorization, Pop3StateTable.BeforeCommand(Pop3Phase.UserGiven, "CAPA"));
        Assert.Equal(Pop3Phase.Authorization, Pop3StateTable.BeforeCommand(Pop3Phase.UserGiven, ""));
        Assert.Equal(Pop3Phase.UserGiven, Pop3StateTable.BeforeCommand(Pop3Phase.UserGiven, "USER"));
    }

    [Fact]
    public void Nothing_is_accepted_in_the_update_state()
    {
        foreach (var verb in Pop3StateTable.Verbs)
            Assert.NotNull(Pop3StateTable.Check(Pop3Phase.Update, verb));
    }

    [Fact]
    public void Unknown_verbs_are_refused_in_every_state()
    {
        foreach (var phase in Enum.GetValues<Pop3Phase>())
            Assert.Equal(Pop3Reply.UnknownCommand, Pop3StateTable.Check(phase, "APOP"));
    }

    [Fact]
    public void Successful_commands_move_through_the_rfc_1939_states()
    {
        Assert.Equal(Pop3Phase.UserGiven, Pop3StateTable.After(Pop3Phase.Authorization, "USER"));
        Assert.Equal(Pop3Phase.Transaction, Pop3StateTable.After(Pop3Phase.UserGiven, "PASS"));
        Assert.Equal(Pop3Phase.Transaction, Pop3StateTable.After(Pop3Phase.Authorization, "AUTH"));
        Assert.Equal(Pop3Phase.Transaction, Pop3StateTable.After(Pop3Phase.Transaction, "DELE"));
        Assert.Equal(Pop3Phase.Update, Pop3StateTable.After(Pop3Phase.Transaction, "QUIT"));
    }
}
