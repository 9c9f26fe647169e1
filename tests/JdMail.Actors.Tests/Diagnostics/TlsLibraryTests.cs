using System.Text.RegularExpressions;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Tests.Ca;

namespace JdMail.Actors.Tests.Diagnostics;

public sealed class TlsLibraryTests
{
    [Fact]
    public void The_tls_library_is_the_loaded_openssl_and_its_version_is_what_openssl_reports_for_its_library()
    {
        var lib = TlsLibrary.Current;
        Assert.Equal("OpenSSL", lib.Name);
        Assert.Contains("OpenSSL_version() of the loaded", lib.Source);
        Assert.Matches(@"libcrypto\.so", lib.Source);
        // `openssl version` prints "OpenSSL 3.0.x <date> (Library: OpenSSL 3.0.x <date>)" when binary and library differ
        // in build; the library part is the one SslStream uses.
        var printed = OpenSsl.Ok("version").Out.Trim();
        var m = Regex.Match(printed, @"\(Library: ([^)]+)\)");
        Assert.Equal(m.Success ? m.Groups[1].Value : printed, lib.Version);
        Assert.True(lib.SupportsTls13);
        Assert.Equal(DiagnosticStatus.Ok, DiagnosticChecks.Library(lib).Status);
    }

    [Fact]
    public void Every_cipher_name_mapping_matches_openssl_ciphers_stdname()
    {
        // Lines: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH ..."
        var list = OpenSsl.Ok("ciphers", "-stdname", "ALL:@SECLEVEL=0").Out;
        var byIana = list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 3 && f[1] == "-")
            .ToDictionary(f => f[0], f => f[2]);
        var checkedCount = 0;
        foreach (var (iana, openssl) in CipherNames.Known)
        {
            if (!byIana.TryGetValue(iana, out var expected)) continue;   // not compiled into this OpenSSL
            Assert.Equal(expected, openssl);
            checkedCount++;
        }
        Assert.True(checkedCount >= 20, $"only {checkedCount} suites could be compared");
        Assert.Equal("TLS_AES_256_GCM_SHA384", byIana["TLS_AES_256_GCM_SHA384"]);
        Assert.Equal("TLS_AES_256_GCM_SHA384", CipherNames.OpenSsl("TLS_AES_256_GCM_SHA384"));
    }
}
