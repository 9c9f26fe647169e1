using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace JdMail.Integration.Tests.Tls;

/// <summary>An implicit-TLS client that reports whether the server let it in (its greeting arrived) and what it served.</summary>
public static class TlsProbe
{
    public sealed record Result(bool Admitted, string? Greeting, X509Certificate2? ServerCertificate, string? Error);

    public static async Task<Result> ConnectAsync(int port, X509Certificate2 ca, ClientCert? client = null, string host = "localhost")
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var ssl = new SslStream(tcp.GetStream(), false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = TrustedCa.Callback(ca),
        };
        if (client is not null)
            options.ClientCertificateContext = SslStreamCertificateContext.Create(client.WithKey, client.Chain, offline: true);
        try
        {
            await ssl.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(10));
            var served = ssl.RemoteCertificate is { } rc ? X509CertificateLoader.LoadCertificate(rc.GetRawCertData()) : null;
            // In TLS 1.3 the server judges the client certificate after the client's handshake is done: a refusal
            // shows up as an alert (or a close) instead of the greeting.
            var buffer = new byte[512];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var n = await ssl.ReadAsync(buffer, cts.Token);
            if (n == 0) return new Result(false, null, served, "closed before the greeting");
            return new Result(true, Encoding.ASCII.GetString(buffer, 0, n).TrimEnd(), served, null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or TimeoutException)
        {
            return new Result(false, null, null, e.GetBaseException().Message);
        }
    }
}
