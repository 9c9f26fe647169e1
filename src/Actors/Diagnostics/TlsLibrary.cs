using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace JdMail.Actors.Diagnostics;

/// <summary>The TLS library .NET uses in this process and how its version was found.</summary>
/// <param name="Name">"OpenSSL", "SChannel", "Apple Network.framework" or "unknown".</param>
/// <param name="Version">The library's own version text, e.g. "OpenSSL 3.0.19 27 Jan 2026", or null.</param>
/// <param name="Source">How the version was learned (which file, which export or command).</param>
/// <param name="Numeric">Major.minor.patch when known.</param>
public sealed record TlsLibraryInfo(string Name, string? Version, string Source, Version? Numeric)
{
    /// <summary>TLS 1.3 needs OpenSSL 1.1.1 or later.</summary>
    public bool SupportsTls13 => Name != "OpenSSL" || Numeric is null || Numeric >= new Version(1, 1, 1);
}

/// <summary>
/// Finds the TLS library. On Linux .NET's SslStream runs on the system OpenSSL (libssl.so.3 / libssl.so.1.1 loaded by
/// the System.Security.Cryptography.Native.OpenSsl shim): the library paths come from <c>/proc/self/maps</c>, and the
/// version from the <c>OpenSSL_version</c> export of the loaded libcrypto, so it is the library really in use, not
/// whatever <c>openssl</c> binary is on the PATH. <c>openssl version</c> is the last resort.
/// </summary>
public static partial class TlsLibrary
{
    private static readonly Lazy<TlsLibraryInfo> Detected = new(DetectNow);

    public static TlsLibraryInfo Current => Detected.Value;

    private static TlsLibraryInfo DetectNow()
    {
        if (OperatingSystem.IsWindows()) return new("SChannel", Environment.OSVersion.VersionString, "Windows: SslStream uses SChannel", null);
        if (OperatingSystem.IsMacOS()) return new("Apple Network.framework", Environment.OSVersion.VersionString, "macOS: SslStream uses the system TLS", null);
        // Any cryptographic call makes the .NET shim load libssl and libcrypto.
        _ = System.Security.Cryptography.SHA256.HashData([0]);
        var (ssl, crypto) = LoadedOpenSsl();
        if (crypto is not null && VersionFromExport(crypto) is { } v)
            return new("OpenSSL", v, $"OpenSSL_version() of the loaded {crypto}{(ssl is null ? "" : $" (TLS: {ssl})")}", Parse(v));
        if (VersionFromCommand() is { } cmd)
            return new("OpenSSL", cmd, $"`openssl version` (the loaded library could not be asked{(ssl is null ? "" : $"; TLS: {ssl}")})", Parse(cmd));
        return new("OpenSSL", null, ssl ?? "libssl not found in /proc/self/maps", null);
    }

    /// <summary>Paths of the libssl and libcrypto mapped into this process.</summary>
    public static (string? Ssl, string? Crypto) LoadedOpenSsl()
    {
        try
        {
            string? ssl = null, crypto = null;
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..].Trim();
                var name = Path.GetFileName(path);
                if (ssl is null && name.StartsWith("libssl.so", StringComparison.Ordinal)) ssl = path;
                if (crypto is null && name.StartsWith("libcrypto.so", StringComparison.Ordinal)) crypto = path;
            }
            return (ssl, crypto);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (null, null); }
    }

    private static unsafe string? VersionFromExport(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle)) return null;
        try
        {
            // const char *OpenSSL_version(int type); type 0 = OPENSSL_VERSION (OpenSSL 1.1.0 and later).
            if (!NativeLibrary.TryGetExport(handle, "OpenSSL_version", out var export)) return null;
            var fn = (delegate* unmanaged<int, IntPtr>)export;
            return Marshal.PtrToStringAnsi(fn(0));
        }
        finally { NativeLibrary.Free(handle); }
    }

    private static string? VersionFromCommand()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("openssl", "version") { RedirectStandardOutput = true, UseShellExecute = false });
            if (p is null) return null;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(5000);
            // "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)": the library part is what counts.
            var m = LibraryPart().Match(text);
            return m.Success ? m.Groups[1].Value : text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException) { return null; }
    }

    public static Version? Parse(string text)
    {
        var m = NumericVersion().Match(text);
        return m.Success ? new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)) : null;
    }

    [GeneratedRegex(@"\(Library: ([^)]+)\)")]
    private static partial Regex LibraryPart();

    [GeneratedRegex(@"(\d+)\.(\d+)\.(\d+)")]
    private static partial Regex NumericVersion();
}
