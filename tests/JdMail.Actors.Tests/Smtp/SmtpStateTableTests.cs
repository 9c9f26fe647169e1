using JdMail.Actors.Smtp;

namespace JdMail.Actors.Tests.Smtp;

public sealed class SmtpStateTableTests
{
    [Theory]
    [InlineData(SmtpPhase.Fresh, "MAIL", 503)]
    [InlineData(SmtpPhase.Greeted, "MAIL", 0)]
    [InlineData(SmtpPhase.Mail, "MAIL", 503)]
    [InlineData(SmtpPhase.Greeted, "RCPT", 503)]
    [InlineData(SmtpPhase.Mail, "RCPT", 0)]
    [InlineData(SmtpPhase.Rcpt, "RCPT", 0)]
    [InlineData(SmtpPhase.Mail, "DATA", 503)]
    [InlineData(SmtpPhase.Rcpt, "DATA", 0)]
    [InlineData(SmtpPhase.Mail, "STARTTLS", 503)]
    [InlineData(SmtpPhase.Greeted, "STARTTLS", 0)]
    [InlineData(SmtpPhase.Rcpt, "AUTH", 503)]
    [InlineData(SmtpPhase.Fresh, "AUTH", 503)]
    [InlineData(SmtpPhase.Fresh, "NOOP", 0)]
    [InlineData(SmtpPhase.Rcpt, "RSET", 0)]
    [InlineData(SmtpPhase.Rcpt, "EHLO", 0)]
    public void Commands_are_accepted_only_in_their_place(SmtpPhase phase, string verb, int refusal) =>
        Assert.Equal(refusal, SmtpStateTable.Check(phase, verb)?.Code ?? 0);

    [Fact]
    public void Data_before_any_recipient_says_so() =>
        Assert.Equal(SmtpReply.NeedRcpt, SmtpStateTable.Check(SmtpPhase.Mail, "DATA"));

    [Theory]
    [InlineData(SmtpPhase.Fresh, "EHLO", SmtpPhase.Greeted)]
    [InlineData(SmtpPhase.Greeted, "MAIL", SmtpPhase.Mail)]
    [InlineData(SmtpPhase.Mail, "RCPT", SmtpPhase.Rcpt)]
    [InlineData(SmtpPhase.Rcpt, "DATA", SmtpPhase.Greeted)]
    [InlineData(SmtpPhase.Rcpt, "RSET", SmtpPhase.Greeted)]
    [InlineData(SmtpPhase.Fresh, "RSET", SmtpPhase.Fresh)]
    public void Phases_advance(SmtpPhase from, string verb, SmtpPhase to) => Assert.Equal(to, SmtpStateTable.After(from, verb));

    [Fact]
    public void Multi_line_replies_use_dashes_except_on_the_last_line() =>
        Assert.Equal("250-a\r\n250-b\r\n250 c\r\n", new SmtpReply(250, null, "a", "b", "c").ToWire());
}
