using System.Diagnostics;
using System.Net;

namespace JdMail.Integration.Tests;

/// <summary>JdMail as a separate OS process (<c>dotnet jdmail.dll serve</c>), for tests that kill it.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output;
    public Dictionary<string, IPEndPoint> Endpoints { get; }
    public int Pid => _process.Id;

    private ServerProcess(Process process, Dictionary<string, IPEndPoint> endpoints, System.Text.StringBuilder output)
    {
        _process = process;
        _output = output;
        Endpoints = endpoints;
    }

    public static async Task<ServerProcess> StartAsync(string mailRoot, string configFile, params string[] extraArgs)
    {
        var endpointsFile = Path.Combine(mailRoot, "endpoints.tab");
        File.Delete(endpointsFile);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "jdmail.dll"), "serve", "--mailroot", mailRoot, "--config", configFile }.Concat(extraArgs))
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.UntilAsync(mailRoot, () => File.Exists(endpointsFile) || process.HasExited, ready => ready,
                TimeSpan.FromSeconds(60), "the server to listen");
        }
        catch (TimeoutException) { /* reported below with the output */ }
        if (!File.Exists(endpointsFile))
        {
            if (!process.HasExited) process.Kill();
            lock (output) throw new Xunit.Sdk.XunitException($"server did not start:\n{output}");
        }
        var endpoints = new Dictionary<string, IPEndPoint>();
        foreach (var line in await File.ReadAllLinesAsync(endpointsFile))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var f = line.Split('\t').Select(x => x.Trim('"')).ToArray();
            endpoints[f[0]] = new IPEndPoint(IPAddress.Parse(f[3]), int.Parse(f[4]));
        }
        return new ServerProcess(process, endpoints, output);
    }

    /// <summary>SIGTERM, as a service manager sends it; returns the exit code and what the server printed.</summary>
    public async Task<(int Exit, string Output)> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        lock (_output) return (_process.ExitCode, _output.ToString());
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, nothing.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited) KillHard();
        _process.Dispose();
    }
}
