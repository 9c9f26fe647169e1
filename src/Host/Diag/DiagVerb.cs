using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Net;
using JdMail.Actors.Settings;

namespace JdMail.Host.Diag;

/// <summary>
/// <c>jdmail diag</c>: the diagnostics of a MailRoot as a table (or <c>--json</c>). When a server runs on the MailRoot
/// (its <c>endpoints.tab</c> names endpoints that accept connections) the same checks run here against its files and
/// the self-probe connects to its TLS endpoints; otherwise only the files and the configuration are checked.
/// Exit code: 0 all OK, 1 at least one WARN, 2 at least one FAIL (or diagnostics impossible).
/// </summary>
public static class DiagVerb
{
    public static Command Create()
    {
        var mailRoot = new Option<string?>("--mailroot") { Description = "MailRoot folder (default: jdmail.mailroot, ./mailroot)" };
        var config = new Option<string?>("--config") { Description = "HOCON file whose keys override config/hocon/jdmail.conf (as given to serve)" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var noProbe = new Option<bool>("--no-probe") { Description = "Do not connect to the running server's endpoints" };
        var user = new Option<string>("--user") { Description = "CTRL account for asking a running server", DefaultValueFactory = _ => "admin" };
        var password = new Option<string?>("--password") { Description = "CTRL password (default: environment variable JDMAIL_CTRL_PASSWORD); with it, a running server is asked over CTRLS" };
        var verb = new Command("diag", "Check certificates, keys, trust files, listeners and TLS of a MailRoot; exit 0 OK, 1 WARN, 2 FAIL")
        {
            mailRoot, config, json, noProbe, user, password,
        };
        verb.SetAction(async (parse, cancel) =>
        {
            DiagnosticsReport report;
            string mode;
            try
            {
                var root = HoconLoader.Load(parse.GetValue(config));
                var settings = JdMailSettings.Create(root, parse.GetValue(mailRoot));
                if (!Directory.Exists(settings.MailRoot))
                {
                    await Console.Error.WriteLineAsync($"jdmail diag: MailRoot {settings.MailRoot} does not exist");
                    return 2;
                }
                var ctrlPassword = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("JDMAIL_CTRL_PASSWORD");
                var overCtrl = ctrlPassword is { Length: > 0 } && !parse.GetValue(noProbe)
                    ? await OverCtrlAsync(settings, parse.GetValue(user)!, ctrlPassword, cancel) : null;
                (report, mode) = overCtrl is { } r ? (r, "running") : await RunAsync(settings, DiagnosticsSettings.Create(root), !parse.GetValue(noProbe), cancel);
            }
            catch (Exception e) when (e is IOException or Akka.Configuration.ConfigurationException or UnauthorizedAccessException
                or System.Security.Authentication.AuthenticationException or System.Security.Cryptography.CryptographicException
                or Ctrl.CtrlConnectionException or OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"jdmail diag: {e.Message}");
                return 2;
            }
            Console.Out.Write(parse.GetValue(json) ? Json(report, mode) : Table(report, mode));
            return report.ExitCode;
        });
        return verb;
    }

    /// <summary>Runs the checks (and the probe, when a server answers) for the MailRoot of <paramref name="settings"/>.</summary>
    public static async Task<(DiagnosticsReport Report, string Mode)> RunAsync(JdMailSettings settings, DiagnosticsSettings diag, bool probe,
        CancellationToken cancel = default)
    {
        var paths = new MailRootPaths(settings.MailRoot);
        var running = await RunningEndpointsAsync(paths, settings, cancel);
        var state = running.Count > 0 ? new ListenerState(running, [], true, true) : ListenerState.Offline;
        var engine = new DiagnosticsEngine(settings, diag);
        var now = DateTime.UtcNow;
        var items = engine.Check(state, null, now).ToList();
        var probes = Array.Empty<ProbeResult>();
        if (probe && state.Running)
        {
            probes = await SelfProbe.RunAsync(SelfProbe.Targets(state),
                new ProbeOptions(paths, settings.HostName, diag.ProbeTimeout, settings.Tls.ClientCerts.WantCert));
            items.AddRange(probes.Select(p => p.Item));
        }
        return (new DiagnosticsReport(items, probes, now), state.Running ? "running" : "offline");
    }

    /// <summary>
    /// The running server's own view (CTRL <c>diag</c>, with its self-probe and the CA's state), over CTRLS verified
    /// against <c>certs.pem</c>; null when no CTRLS endpoint answers, so the local checks run instead.
    /// </summary>
    private static async Task<DiagnosticsReport?> OverCtrlAsync(JdMailSettings settings, string user, string password, CancellationToken cancel)
    {
        var paths = new MailRootPaths(settings.MailRoot);
        var ctrls = (await RunningEndpointsAsync(paths, settings, cancel)).FirstOrDefault(b => b.Endpoint.Protocol == Protocol.Ctrl && b.Endpoint.Tls == TlsMode.Implicit);
        if (ctrls is null) return null;
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        roots.ImportFromPemFile(paths.CertsPem);
        var host = ctrls.BoundTo.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : ctrls.BoundTo.Address;
        await using var client = await Ctrl.CtrlClient.ConnectAsync(host.ToString(), ctrls.BoundTo.Port, false, roots, TimeSpan.FromSeconds(60), cancel);
        var login = await client.LoginAsync(user, password, cancel);
        if (!login.Ok) throw new IOException($"CTRL login refused: {login}");
        var result = await client.CommandAsync(["diag"], null, cancel);
        if (!result.Ok) throw new IOException($"CTRL diag refused: {result}");
        var items = result.Rows.Where(r => r.Count == 4).Select(r => new DiagnosticItem(r[0], r[1],
            r[2] switch { "OK" => DiagnosticStatus.Ok, "WARN" => DiagnosticStatus.Warn, _ => DiagnosticStatus.Fail }, r[3])).ToList();
        return new DiagnosticsReport(items, [], DateTime.UtcNow);
    }

    /// <summary>The endpoints in <c>endpoints.tab</c> that accept a connection now (none: no server runs).</summary>
    private static async Task<List<ListenerBound>> RunningEndpointsAsync(MailRootPaths paths, JdMailSettings settings, CancellationToken cancel)
    {
        var list = new List<ListenerBound>();
        if (!File.Exists(paths.EndpointsFile)) return list;
        foreach (var line in await File.ReadAllLinesAsync(paths.EndpointsFile, cancel))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var f = line.Split('\t').Select(x => x.Trim('"')).ToArray();
            if (f.Length < 5 || !IPAddress.TryParse(f[3], out var address) || !int.TryParse(f[4], out var port)) continue;
            var configured = settings.Listeners.Endpoints.FirstOrDefault(e => e.Name == f[0]);
            var protocol = Enum.TryParse<Protocol>(f[1], true, out var p) ? p : configured?.Protocol ?? Protocol.Smtp;
            var tls = Enum.TryParse<TlsMode>(f[2], true, out var t) ? t : configured?.Tls ?? TlsMode.None;
            var endpoint = new EndpointSettings(f[0], protocol, tls, address, port);
            var target = new IPEndPoint(address.Equals(IPAddress.Any) ? IPAddress.Loopback : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address, port);
            if (await AcceptsAsync(target, cancel)) list.Add(new ListenerBound(endpoint, new IPEndPoint(address, port)));
        }
        return list;
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint target, CancellationToken cancel)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var tcp = new TcpClient(target.AddressFamily);
            await tcp.ConnectAsync(target, cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return false; }
    }

    public static string Table(DiagnosticsReport report, string mode)
    {
        var sb = new StringBuilder();
        var w1 = Math.Max(4, report.Items.Max(i => i.Area.Length));
        var w2 = Math.Max(4, report.Items.Max(i => i.Item.Length));
        sb.Append("AREA".PadRight(w1)).Append("  ").Append("ITEM".PadRight(w2)).Append("  STATUS  DETAIL\n");
        foreach (var i in report.Items)
            sb.Append(i.Area.PadRight(w1)).Append("  ").Append(i.Item.PadRight(w2)).Append("  ").Append(i.StatusText.PadRight(6)).Append("  ").Append(i.Detail).Append('\n');
        sb.Append($"\n{report.Worst.Text()}: {report.Items.Count(i => i.Status == DiagnosticStatus.Ok)} OK, " +
                  $"{report.Items.Count(i => i.Status == DiagnosticStatus.Warn)} WARN, {report.Items.Count(i => i.Status == DiagnosticStatus.Fail)} FAIL " +
                  $"({(mode == "running" ? "server running" : "no server running: files and configuration only")})\n");
        return sb.ToString();
    }

    public static string Json(DiagnosticsReport report, string mode)
    {
        var doc = new
        {
            status = report.Worst.Text(),
            exitCode = report.ExitCode,
            server = mode,
            checkedAt = report.CheckedAtUtc.ToString("O"),
            items = report.Items.Select(i => new { area = i.Area, item = i.Item, status = i.StatusText, detail = i.Detail }),
            probes = report.Probes.Select(p => new
            {
                endpoint = p.Endpoint, upgrade = p.Upgrade, address = p.Address, handshake = p.Handshaken, protocol = p.TlsVersion,
                cipher = p.Cipher, opensslCipher = p.OpenSslCipher, sha256 = p.Sha256, matchesDisk = p.MatchesDisk,
                verified = p.Verified, verification = p.Verification, error = p.Error, status = p.Item.StatusText,
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
