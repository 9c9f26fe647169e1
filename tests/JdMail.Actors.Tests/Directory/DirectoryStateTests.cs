using JdMail.Actors.Directory;

namespace JdMail.Actors.Tests.Directory;

public sealed class DirectoryStateTests
{
    private static DirectoryState Run(DirectoryState s, DirectoryCommand c)
    {
        var r = s.Process(c);
        Assert.Null(r.Rejection);
        return r.Events!.Aggregate(s, (st, e) => st.Apply(e));
    }

    private static DirectoryState WithAlice() =>
        Run(Run(DirectoryState.Empty, new AddDomain("Example.Test")), new AddUser("example.test", "Alice", "h1", "U"));

    [Fact]
    public void Names_are_stored_lower_case_and_resolved_case_insensitively()
    {
        var s = WithAlice();
        Assert.True(s.IsLocalDomain("EXAMPLE.test"));
        Assert.Equal("alice@example.test", s.Resolve("ALICE@Example.TEST")!.Address);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a..b")]
    [InlineData("")]
    public void User_names_that_are_unsafe_as_folders_are_refused(string user)
    {
        var s = Run(DirectoryState.Empty, new AddDomain("example.test"));
        Assert.Equal(DirectoryState.ErrBadName, s.Process(new AddUser("example.test", user, "h", "U")).Rejection!.Code);
    }

    [Fact]
    public void Duplicates_and_unknown_domains_get_xmail_codes()
    {
        var s = WithAlice();
        Assert.Equal(231, s.Process(new AddDomain("example.test")).Rejection!.Code);
        Assert.Equal(13, s.Process(new AddUser("example.test", "alice", "h", "U")).Rejection!.Code);
        Assert.Equal(59, s.Process(new AddUser("nowhere.test", "x", "h", "U")).Rejection!.Code);
        Assert.Equal(12, s.Process(new DeleteUser("example.test", "nobody")).Rejection!.Code);
    }

    [Fact]
    public void Aliases_resolve_to_their_account_and_cannot_shadow_users()
    {
        var s = Run(WithAlice(), new AddAlias("example.test", "info", "alice"));
        Assert.Equal("alice@example.test", s.Resolve("info@example.test")!.Address);
        Assert.Equal(26, s.Process(new AddAlias("example.test", "alice", "x")).Rejection!.Code);
        s = Run(s, new DeleteAlias("example.test", "info"));
        Assert.Null(s.Resolve("info@example.test"));
    }

    [Fact]
    public void Deleting_a_domain_removes_its_accounts()
    {
        var s = Run(WithAlice(), new DeleteDomain("example.test"));
        Assert.Null(s.FindAccount("alice", "example.test"));
        Assert.False(s.IsLocalDomain("example.test"));
    }

    [Fact]
    public void Bootstrap_applies_once_and_never_overwrites()
    {
        var boot = new ApplyBootstrap("example.test", "admin", "ch", [("alice@example.test", "h-new"), ("carol@other.test", "h3")], 1);
        var s = Run(WithAlice(), boot);
        Assert.True(s.BootstrapDone);
        Assert.Equal("h1", s.FindAccount("alice", "example.test")!.PasswordHash);   // existing account kept
        Assert.Equal("h3", s.FindAccount("carol", "other.test")!.PasswordHash);
        Assert.Equal("ch", s.CtrlAccounts["admin"]);
        Assert.Empty(s.Process(boot).Events!);
    }

    [Fact]
    public void Snapshots_round_trip_the_whole_state()
    {
        var s = Run(Run(Run(WithAlice(), new AddAlias("example.test", "info", "alice")),
            new SetUserVariables("example.test", "alice", [("RealName", "Alice 测试")])), new SetCtrlAccount("Admin", "ch"));
        var back = DirectorySnapshot.From(s).ToState();
        Assert.Equal(s.Domains, back.Domains);
        Assert.Equal(s.Accounts.Values.Select(a => (a.Address, a.PasswordHash, a.Variables.Count)), back.Accounts.Values.Select(a => (a.Address, a.PasswordHash, a.Variables.Count)));
        Assert.Equal(s.Aliases, back.Aliases);
        Assert.Equal(s.CtrlAccounts, back.CtrlAccounts);
    }

    [Fact]
    public void Password_hashes_verify_only_the_right_password_and_never_contain_it()
    {
        var h = PasswordHasher.Hash("s3cret-Pässword", 1000);
        Assert.DoesNotContain("s3cret", h);
        Assert.True(PasswordHasher.Verify("s3cret-Pässword", h));
        Assert.False(PasswordHasher.Verify("s3cret-Password", h));
        Assert.NotEqual(h, PasswordHasher.Hash("s3cret-Pässword", 1000));   // salted
        Assert.False(PasswordHasher.Verify("x", "garbage"));
    }

    [Fact]
    public void Sasl_plain_decodes_and_checks_the_authorization_identity()
    {
        var c = JdMail.Actors.Sasl.SaslPlain.Decode(Convert.ToBase64String("\0alice@example.test\0pw"u8.ToArray()))!;
        Assert.Equal("alice@example.test", c.AuthenticationId);
        Assert.True(JdMail.Actors.Sasl.SaslPlain.AuthorizationAllowed(c));
        var other = JdMail.Actors.Sasl.SaslPlain.Decode(Convert.ToBase64String("bob@example.test\0alice@example.test\0pw"u8.ToArray()))!;
        Assert.False(JdMail.Actors.Sasl.SaslPlain.AuthorizationAllowed(other));
        Assert.Null(JdMail.Actors.Sasl.SaslPlain.Decode("not base64!"));
        Assert.Null(JdMail.Actors.Sasl.SaslPlain.Decode(Convert.ToBase64String("no-nuls"u8.ToArray())));
    }
}
