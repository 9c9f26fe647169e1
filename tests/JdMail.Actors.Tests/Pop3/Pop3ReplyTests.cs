using JdMail.Actors.Pop3;

namespace JdMail.Actors.Tests.Pop3;

public class Pop3ReplyTests
{
    [Fact]
    public void Status_lines_carry_the_response_code_in_brackets()
    {
        Assert.Equal("-ERR [AUTH] Authentication failed\r\n", Pop3Reply.AuthFailed.ToWire());
        Assert.Equal("-ERR [IN-USE] Mailbox in use by another session\r\n", Pop3Reply.InUse.ToWire());
        Assert.StartsWith("-ERR [SYS/TEMP] ", Pop3Reply.DeletionFailed.ToWire());
        Assert.Equal("+OK 2 320\r\n", Pop3Reply.Stat(2, 320).ToWire());
        Assert.Equal("+OK\r\n", Pop3Reply.Ok.ToWire());
    }

    [Fact]
    public void Multi_line_responses_are_dot_stuffed_and_terminated() =>
        Assert.Equal("+OK Capability list follows\r\nTOP\r\n..hidden\r\n.\r\n", Pop3Reply.CapabilityList.ToWire(["TOP", ".hidden"]));

    [Fact]
    public void Tls_refusal_mentions_stls_only_where_it_is_offered()
    {
        Assert.Equal("-ERR [AUTH] TLS required for authentication, use STLS\r\n", Pop3Reply.EncryptionRequired(true).ToWire());
        Assert.DoesNotContain("STLS", Pop3Reply.EncryptionRequired(false).ToWire());
    }
}
