using JdMail.Actors.Ctrl;

namespace JdMail.Actors.Tests.Ctrl;

public sealed class CtrlParserTests
{
    private static CtrlCommand Parse(params string[] tokens) => CtrlParser.Parse(tokens);

    [Theory]
    [InlineData("DOMAINADD")]
    [InlineData("DomainAdd")]
    [InlineData("domainadd")]
    public void Command_names_are_case_insensitive(string verb)
    {
        Assert.Equal(new DomainAddCommand("a.test"), Parse(verb, "a.test"));
    }

    [Theory]
    // command, token counts that are accepted (including the command), one count that is not
    [InlineData("domainadd", new[] { 2 }, 3)]
    [InlineData("domaindel", new[] { 2 }, 1)]
    [InlineData("useradd", new[] { 5 }, 4)]
    [InlineData("useradd", new[] { 5 }, 6)]
    [InlineData("userdel", new[] { 3 }, 2)]
    [InlineData("userpasswd", new[] { 4 }, 5)]
    [InlineData("userauth", new[] { 4 }, 3)]
    [InlineData("userlist", new[] { 1, 2, 3 }, 4)]
    [InlineData("uservars", new[] { 3 }, 4)]
    [InlineData("uservarsset", new[] { 5, 7, 9 }, 6)]
    [InlineData("uservarsset", new[] { 5 }, 3)]
    [InlineData("aliasadd", new[] { 4 }, 3)]
    [InlineData("aliasdel", new[] { 3 }, 4)]
    [InlineData("aliaslist", new[] { 1, 2, 3, 4 }, 5)]
    [InlineData("noop", new[] { 1 }, 2)]
    [InlineData("quit", new[] { 1 }, 2)]
    public void Each_command_takes_exactly_XMails_token_counts(string verb, int[] accepted, int refused)
    {
        foreach (var n in accepted)
        {
            var command = Parse([verb, .. Enumerable.Range(1, n - 1).Select(i => $"arg{i}")]);
            Assert.IsNotType<InvalidCtrlCommand>(command);
            Assert.Equal(verb, command.Verb);
        }
        var wrong = Parse([verb, .. Enumerable.Range(1, refused - 1).Select(i => $"arg{i}")]);
        Assert.Equal(CtrlReply.BadCommand, Assert.IsType<InvalidCtrlCommand>(wrong).Reply);
    }

    [Fact]
    public void Domainlist_takes_any_number_of_wildcards()
    {
        Assert.Equal(new[] { "a*", "b*", "c*" }, Assert.IsType<DomainListCommand>(Parse("domainlist", "a*", "b*", "c*")).Patterns);
        Assert.Empty(Assert.IsType<DomainListCommand>(Parse("domainlist")).Patterns);
    }

    [Fact]
    public void Unknown_commands_and_empty_lines_are_bad_syntax()
    {
        Assert.Equal(CtrlReply.BadCommand, Assert.IsType<InvalidCtrlCommand>(Parse("frobnicate")).Reply);
        Assert.Equal(CtrlReply.BadCommand, Assert.IsType<InvalidCtrlCommand>(Parse()).Reply);
        Assert.Equal("-00103 Bad CTRL command syntax", CtrlReply.BadCommand.ToString());
    }

    [Fact]
    public void Uservarsset_pairs_names_with_values()
    {
        var c = Assert.IsType<UserVarsSetCommand>(Parse("uservarsset", "d.test", "joe", "RealName", "Joe", "Note", ".|rm"));
        Assert.Equal([("RealName", "Joe"), ("Note", ".|rm")], c.Pairs);
    }

    [Fact]
    public void Missing_list_filters_match_everything()
    {
        Assert.Equal(new UserListCommand("*", "*"), Parse("userlist"));
        Assert.Equal(new AliasListCommand("d.test", "*", "*"), Parse("aliaslist", "d.test"));
    }

    [Fact]
    public void Passwords_never_appear_in_a_commands_text()
    {
        Assert.DoesNotContain("s3cret", Parse("useradd", "d", "u", "s3cret", "U").ToString());
        Assert.DoesNotContain("s3cret", Parse("userpasswd", "d", "u", "s3cret").ToString());
        Assert.DoesNotContain("s3cret", Parse("userauth", "d", "u", "s3cret").ToString());
    }
}
