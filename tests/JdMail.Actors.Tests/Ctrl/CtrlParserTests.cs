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

    [Fact]
    public void Certificate_forms_take_name_value_pairs_with_case_insensitive_names()
    {
        var c = Assert.IsType<CertServerCommand>(Parse("certserver", "CN", "mail.example.test", "san", "mail.example.test,*.example.test", "install", "1", "note", "服务器"));
        Assert.Equal("mail.example.test", c.Field("cn"));
        Assert.Equal("1", c.Field("install"));
        Assert.Equal("服务器", c.Field("note"));
        Assert.Null(c.Field("days"));
        Assert.Empty(Assert.IsType<CaCreateCommand>(Parse("cacreate")).Fields);
    }

    [Theory]
    [InlineData("cacreate", "san")]          // a CA has no subjectAltName field
    [InlineData("certclient", "install")]    // client certificates are not installed
    [InlineData("certreq", "days")]          // the public CA decides the validity
    [InlineData("certself", "password")]
    public void A_field_a_form_does_not_have_is_bad_syntax(string verb, string field)
    {
        var invalid = Assert.IsType<InvalidCtrlCommand>(Parse(verb, field, "x"));
        Assert.Equal(103, invalid.Reply.Code);
        Assert.Contains(field, invalid.Reply.Text);
    }

    [Fact]
    public void A_field_given_twice_or_without_a_value_is_bad_syntax()
    {
        Assert.Equal(103, Assert.IsType<InvalidCtrlCommand>(Parse("certserver", "cn", "a", "CN", "b")).Reply.Code);
        Assert.Equal(CtrlReply.BadCommand, Assert.IsType<InvalidCtrlCommand>(Parse("certserver", "cn")).Reply);
    }

    [Theory]
    [InlineData("caget", "pem")]
    [InlineData("caget", "DER")]
    [InlineData("crlget")]
    [InlineData("crlget", "der")]
    [InlineData("certget", "srv-1", "p12")]
    [InlineData("certlist")]
    [InlineData("certlist", "client")]
    [InlineData("certrevoke", "c-1")]
    [InlineData("certrevoke", "c-1", "keyCompromise")]
    [InlineData("certimport", "req-1")]
    [InlineData("cainfo")]
    [InlineData("certprofiles")]
    [InlineData("diag")]
    public void Certificate_queries_accept_their_arguments(params string[] tokens)
    {
        Assert.IsNotType<InvalidCtrlCommand>(Parse(tokens));
    }

    [Theory]
    [InlineData("caget")]
    [InlineData("caget", "p12")]
    [InlineData("crlget", "txt")]
    [InlineData("certget", "srv-1")]
    [InlineData("certget", "srv-1", "pfx")]
    [InlineData("certshow")]
    [InlineData("certinstall", "a", "b")]
    [InlineData("certrevoke")]
    [InlineData("certdelete")]
    [InlineData("diag", "x")]
    public void Certificate_commands_with_wrong_arguments_are_bad_syntax(params string[] tokens)
    {
        Assert.Equal(103, Assert.IsType<InvalidCtrlCommand>(Parse(tokens)).Reply.Code);
    }

    [Fact]
    public void Download_formats_are_read_case_insensitively_and_kept_lower_case()
    {
        Assert.Equal(new CaGetCommand("der"), Parse("caget", "DER"));
        Assert.Equal(new CertGetCommand("Srv-1", "p12"), Parse("certget", "Srv-1", "P12"));
        Assert.Equal(new CrlGetCommand("pem"), Parse("crlget"));
    }
}
