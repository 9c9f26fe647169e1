using System.Diagnostics;

namespace JdMail.Integration.Tests;

/// <summary>Password guessing against POP3 and SMTP AUTH is slowed down and then stopped per address.</summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public async Task Failed_logins_are_delayed_and_an_address_that_keeps_failing_is_refused_on_every_mail_protocol()
    {
        await using var server = await ServerFixture.StartAsync(
            "jdmail.security { max-failed-logins = 3, failed-login-window = 10m, failed-login-delay = 300ms }");
        for (var i = 0; i < 3; i++)
        {
            using var pop = await RawSmtp.ConnectTlsAsync(server.Port("pop3s"), server.CaCertificate);
            Assert.StartsWith("+OK", await pop.ReadLineAsync());
            await pop.SendAsync("USER bob@example.test");
            Assert.StartsWith("+OK", await pop.ReadLineAsync());
            var clock = Stopwatch.StartNew();
            await pop.SendAsync("PASS wrong-" + i);
            Assert.StartsWith("-ERR [AUTH]", await pop.ReadLineAsync());
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"a failed login was answered after {clock.ElapsedMilliseconds} ms");
        }

        // Now even the right password is not checked from this address, on POP3 ...
        using (var pop = await RawSmtp.ConnectTlsAsync(server.Port("pop3s"), server.CaCertificate))
        {
            Assert.StartsWith("+OK", await pop.ReadLineAsync());
            await pop.SendAsync("USER bob@example.test");
            Assert.StartsWith("+OK", await pop.ReadLineAsync());
            await pop.SendAsync("PASS " + ServerFixture.BobPassword);
            Assert.StartsWith("-ERR [SYS/TEMP] Too many failed logins", await pop.ReadLineAsync());
        }
        // ... and on SMTP AUTH.
        using var smtp = await RawSmtp.ConnectTlsAsync(server.Port("smtps"), server.CaCertificate);
        await smtp.ExpectAsync("220 ");
        await smtp.SendAsync("EHLO client.test");
        await smtp.ExpectAsync("250 ");
        await smtp.SendAsync("AUTH PLAIN " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0alice@example.test\0" + ServerFixture.AlicePassword)));
        await smtp.ExpectAsync("454 4.7.0");
    }
}
