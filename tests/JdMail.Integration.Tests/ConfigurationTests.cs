namespace JdMail.Integration.Tests;

/// <summary>A configuration that cannot work is refused at start with the key named; a misspelt key is reported.</summary>
public sealed class ConfigurationTests
{
    private static async Task<(int Exit, string Output)> ServeAsync(string extraConfig, TimeSpan runFor)
    {
        var root = Path.Combine(Path.GetTempPath(), "jdmail-cfg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var config = Path.Combine(root, "test.conf");
            await File.WriteAllTextAsync(config, ServerFixture.Config(extraConfig));
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "jdmail.dll"), "serve", "--mailroot", Path.Combine(root, "mr"), "--config", config })
                psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(runFor);
            try { await p.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", p.Id.ToString()])) await term.WaitForExitAsync();
                await p.WaitForExitAsync();
            }
            return (p.ExitCode, await stdout + await stderr);
        }
        finally { try { Directory.Delete(root, true); } catch (IOException) { } }
    }

    [Theory]
    [InlineData("jdmail.smtp.max-message-size = -5", "jdmail.smtp.max-message-size must be greater than 0")]
    [InlineData("jdmail.listeners.max-connections = 0", "jdmail.listeners.max-connections must be greater than 0")]
    [InlineData("jdmail.tls.min-version = \"1.1\"", "jdmail.tls.min-version")]
    [InlineData("jdmail.smtp.idle-timeout = \"soon\"", "cannot start")]
    public async Task Impossible_values_stop_the_start_with_a_message_and_exit_code_2(string setting, string message)
    {
        var (exit, output) = await ServeAsync(setting, TimeSpan.FromSeconds(60));
        Assert.Equal(2, exit);
        Assert.Contains(message, output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public async Task A_misspelt_key_is_reported_at_start()
    {
        var (_, output) = await ServeAsync("jdmail.smtp.max-mesage-size = 5", TimeSpan.FromSeconds(8));
        Assert.Contains("sets jdmail.smtp.max-mesage-size, which JdMail does not know", output);
    }

    [Fact]
    public async Task Connections_over_the_limit_are_told_so_before_the_close()
    {
        await using var server = await ServerFixture.StartAsync("jdmail.listeners.max-connections = 2");
        using var a = await RawSmtp.ConnectAsync(server.Port("smtp"));
        await a.ExpectAsync("220 ");
        using var b = await RawSmtp.ConnectAsync(server.Port("smtp"));
        await b.ExpectAsync("220 ");
        using var c = await RawSmtp.ConnectAsync(server.Port("smtp"));
        await c.ExpectAsync("421 4.3.2");
        Assert.True(await c.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
    }
}
