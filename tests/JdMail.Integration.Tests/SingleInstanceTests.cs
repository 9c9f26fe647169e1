namespace JdMail.Integration.Tests;

/// <summary>A second server must never share a MailRoot or a port with a running one.</summary>
public sealed class SingleInstanceTests
{
    private static async Task<(int Exit, string Output)> ServeAsync(string mailRoot, string configFile)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "jdmail.dll"), "serve", "--mailroot", mailRoot, "--config", configFile })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(); throw new Xunit.Sdk.XunitException("the second server kept running"); }
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task A_second_server_on_the_same_mailroot_refuses_to_start()
    {
        await using var first = await ServerFixture.StartAsync();
        var (exit, output) = await ServeAsync(first.MailRoot, Path.Combine(first.MailRoot, "test.conf"));
        Assert.Equal(2, exit);
        Assert.Contains("is in use by another JdMail server", output);
    }

    [Fact]
    public async Task A_second_server_on_taken_ports_exits_instead_of_sharing_them()
    {
        await using var first = await ServerFixture.StartAsync();
        var other = Path.Combine(Path.GetTempPath(), "jdmail-second-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(other);
        try
        {
            var config = Path.Combine(other, "test.conf");
            await File.WriteAllTextAsync(config, ServerFixture.Config($"jdmail.listeners.smtp.port = {first.Port("smtp")}"));
            var (exit, output) = await ServeAsync(other, config);
            Assert.Equal(3, exit);
            Assert.Contains($"cannot open smtp (127.0.0.1:{first.Port("smtp")}", output);
        }
        finally { try { Directory.Delete(other, true); } catch (IOException) { } }
    }
}
