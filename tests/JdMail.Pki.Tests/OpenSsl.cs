using System.Diagnostics;
using System.Text;

namespace JdMail.Pki.Tests;

/// <summary>Result of one openssl run: exit code and both output streams.</summary>
public sealed record OpenSslResult(int ExitCode, string StdOut, string StdErr)
{
    public string All => StdOut + StdErr;
    public override string ToString() => $"exit {ExitCode}\n{StdOut}\n{StdErr}";
}

/// <summary>A scratch directory plus a runner for the real /usr/bin/openssl.</summary>
public sealed class OpenSsl : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("jdmail-pki-").FullName;

    public string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Read(string name) => File.ReadAllText(Path.Combine(Dir, name));

    public OpenSslResult Run(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/openssl")
        {
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException("openssl " + string.Join(' ', args));
        }
        return new OpenSslResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs and asserts exit code 0, returning the result.</summary>
    public OpenSslResult Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {r}");
        return r;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
        }
    }
}
