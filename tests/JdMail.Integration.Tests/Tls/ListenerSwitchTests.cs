namespace JdMail.Integration.Tests.Tls;

public sealed class ListenerSwitchTests
{
    [Fact]
    public async Task Xmail_switches_B_X_W_keep_the_implicit_tls_listeners_closed()
    {
        var mailRoot = Path.Combine(Path.GetTempPath(), "jdmail-sw-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(mailRoot);
        var config = Path.Combine(mailRoot, "test.conf");
        await File.WriteAllTextAsync(config, ServerFixture.Config());
        try
        {
            using (var server = await ServerProcess.StartAsync(mailRoot, config, "-B-", "-X-", "-W-"))
            {
                Assert.Contains("smtp", server.Endpoints.Keys);
                Assert.Contains("pop3", server.Endpoints.Keys);
                Assert.DoesNotContain("pop3s", server.Endpoints.Keys);
                Assert.DoesNotContain("smtps", server.Endpoints.Keys);
                Assert.DoesNotContain("ctrls", server.Endpoints.Keys);
            }
            using (var server = await ServerProcess.StartAsync(mailRoot, config, "--no-smtps"))
            {
                Assert.Contains("pop3s", server.Endpoints.Keys);
                Assert.DoesNotContain("smtps", server.Endpoints.Keys);
            }
        }
        finally { try { Directory.Delete(mailRoot, true); } catch (IOException) { } }
    }
}
