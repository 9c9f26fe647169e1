using JdMail.Actors.Ctrl;

namespace JdMail.Actors.Tests.Ctrl;

public sealed class CtrlStateTableTests
{
    private static LoginDecision Login(string line, bool isTls = false, bool tlsOffered = true, bool allowPlain = false, bool pipelined = false) =>
        CtrlStateTable.Login(CtrlTokenizer.Tokenize(line), isTls, tlsOffered, allowPlain, pipelined);

    [Fact]
    public void Tls_line_starts_tls_on_a_clear_connection()
    {
        Assert.IsType<LoginDecision.StartTls>(Login("#!TLS"));
    }

    [Fact]
    public void Tls_line_inside_tls_is_refused_with_242()
    {
        Assert.Equal(242, Assert.IsType<LoginDecision.Refuse>(Login("#!TLS", isTls: true)).Reply.Code);
    }

    [Fact]
    public void Tls_line_when_tls_is_disabled_is_refused_with_249()
    {
        Assert.Equal(249, Assert.IsType<LoginDecision.Refuse>(Login("#!TLS", tlsOffered: false)).Reply.Code);
    }

    [Fact]
    public void Tls_line_with_plaintext_pipelined_behind_it_is_refused()
    {
        Assert.Equal(CtrlReply.PipelinedAfterTls, Assert.IsType<LoginDecision.Refuse>(Login("#!TLS", pipelined: true)).Reply);
    }

    [Fact]
    public void Plain_login_inside_tls_is_verified()
    {
        Assert.Equal(new LoginDecision.Verify("admin", "pw"), Login("\"admin\"\t\"pw\"", isTls: true));
    }

    [Fact]
    public void Plain_login_in_clear_is_refused_with_245_by_default_and_allowed_by_configuration()
    {
        Assert.Equal(CtrlReply.TlsRequired, Assert.IsType<LoginDecision.Refuse>(Login("admin\tpw")).Reply);
        Assert.IsType<LoginDecision.Verify>(Login("admin\tpw", allowPlain: true));
    }

    [Fact]
    public void Md5_challenge_login_is_refused_with_105_even_inside_tls()
    {
        var r = Assert.IsType<LoginDecision.Refuse>(Login("admin\t#0123456789ABCDEF0123456789abcdef", isTls: true));
        Assert.Equal(105, r.Reply.Code);
    }

    [Fact]
    public void A_password_that_merely_starts_with_a_hash_sign_is_a_plain_password()
    {
        Assert.Equal(new LoginDecision.Verify("admin", "#not-md5"), Login("admin\t#not-md5", isTls: true));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("admin\tpw\textra")]
    [InlineData("")]
    [InlineData("\"\"\tpw")]
    public void Anything_but_two_tokens_is_a_bad_login(string line)
    {
        Assert.Equal(CtrlReply.BadLogin, Assert.IsType<LoginDecision.Refuse>(Login(line, isTls: true)).Reply);
    }

    [Fact]
    public void The_password_never_appears_in_a_decisions_text()
    {
        Assert.DoesNotContain("s3cret", Login("admin\ts3cret", isTls: true).ToString());
    }
}
