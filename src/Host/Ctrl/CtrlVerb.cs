using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JdMail.Host.Ctrl;

/// <summary>Everything one <c>jdmail ctrl</c> run needs, resolved from the command line and the environment.</summary>
public sealed record CtrlCliOptions(string Host, int Port, bool StartTls, string User, string? Password, string CaFile,
    bool Json, string? InFile, string? OutFile, TimeSpan Timeout, IReadOnlyList<string> Command)
{
    /// <summary>PEM client certificate and key for servers that require one (XMail CtrlClnt -C / -K).</summary>
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
}

/// <summary>
/// <c>jdmail ctrl</c>: connects over CTRLS (or CTRL plus <c>#!TLS</c> with <c>--starttls</c>), verifies the server
/// certificate against a CA file, logs in, runs one command and prints the result. Exit codes: 0 for a <c>+</c>
/// reply, 1 for a <c>-</c> reply (login refusals included) or a usage error, 2 when no verified conversation with the
/// server was possible (connection, TLS, certificate or protocol failure).
/// </summary>
public static class CtrlVerb
{
    public const string PasswordEnvironment = "JDMAIL_CTRL_PASSWORD";
    public const int ExitOk = 0, ExitError = 1, ExitConnection = 2;

    // Downloads whose lines are base64 of binary data: the last argument names the format.
    private static readonly HashSet<string> BinaryFormats = new(StringComparer.OrdinalIgnoreCase) { "der", "p12" };

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Server address or name; must match the server certificate", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port") { Description = "Port (default 6018 CTRLS, or 6017 with --starttls)" };
        var startTls = new Option<bool>("--starttls") { Description = "Connect to the CTRL port and upgrade with #!TLS instead of CTRLS" };
        var user = new Option<string>("--user") { Description = "CTRL account", DefaultValueFactory = _ => "admin" };
        var password = new Option<string?>("--password") { Description = $"CTRL password (default: environment variable {PasswordEnvironment})" };
        var mailRoot = new Option<string>("--mailroot") { Description = "MailRoot whose certs.pem is the default CA file", DefaultValueFactory = _ => "./mailroot" };
        var caFile = new Option<string?>("--cafile") { Description = "PEM file of the CA(s) the server certificate must chain to (default <mailroot>/certs.pem)" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var input = new Option<string?>("--in") { Description = "File sent when the server asks for data (+00101); default standard input" };
        var output = new Option<string?>("--out") { Description = "Write the returned lines to this file (der and p12 downloads are decoded to binary)" };
        var cert = new Option<string?>("--cert") { Description = "PEM client certificate to present when the server requires one (env CTRL_CERT_FILE)" };
        var key = new Option<string?>("--key") { Description = "PEM private key of --cert (env CTRL_KEY_FILE)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the server at each step", DefaultValueFactory = _ => 60 };
        var command = new Argument<string[]>("command") { Description = "The CTRL command and its arguments, e.g. domainlist, or useradd example.org joe secret U", Arity = ArgumentArity.OneOrMore };

        var verb = new Command("ctrl", "Run one CTRL admin command on a JdMail server over verified TLS")
        {
            host, port, startTls, user, password, mailRoot, caFile, json, input, output, cert, key, timeout, command,
        };
        verb.SetAction(async (parse, cancel) =>
        {
            var tls = parse.GetValue(startTls);
            var options = new CtrlCliOptions(
                parse.GetValue(host)!,
                parse.GetValue(port) ?? (tls ? 6017 : 6018),
                tls,
                parse.GetValue(user)!,
                parse.GetValue(password) ?? Environment.GetEnvironmentVariable(PasswordEnvironment),
                parse.GetValue(caFile) ?? Path.Combine(parse.GetValue(mailRoot)!, "certs.pem"),
                parse.GetValue(json),
                parse.GetValue(input),
                parse.GetValue(output),
                TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))),
                parse.GetValue(command) ?? [])
            {
                CertFile = parse.GetValue(cert) ?? Environment.GetEnvironmentVariable("CTRL_CERT_FILE"),
                KeyFile = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("CTRL_KEY_FILE"),
            };
            return await RunAsync(options, Console.Out, Console.Error, Console.OpenStandardInput, cancel);
        });
        return verb;
    }

    /// <summary>One run, with its streams given (tests call this in-process).</summary>
    public static async Task<int> RunAsync(CtrlCliOptions o, TextWriter stdout, TextWriter stderr, Func<Stream> stdin, CancellationToken cancel = default)
    {
        if (o.Password is null)
        {
            await stderr.WriteLineAsync($"jdmail ctrl: no password: give --password or set {PasswordEnvironment}");
            return ExitError;
        }
        if (o.Command.Count == 0 || o.Command.Concat([o.User, o.Password]).Any(a => a.Any(c => c < ' ' || c == '\x7f')))
        {
            await stderr.WriteLineAsync("jdmail ctrl: arguments cannot contain TAB, CR, LF or other control characters");
            return ExitError;
        }
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(o.CaFile);
            if (roots.Count == 0) throw new CryptographicException("no certificate in the file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            await stderr.WriteLineAsync($"jdmail ctrl: cannot read the CA file {o.CaFile}: {e.Message}");
            return ExitConnection;
        }

        X509Certificate2? clientCertificate = null;
        if (o.CertFile is not null || o.KeyFile is not null)
        {
            try
            {
                if (o.CertFile is null || o.KeyFile is null) throw new ArgumentException("--cert and --key go together");
                clientCertificate = X509Certificate2.CreateFromPemFile(o.CertFile, o.KeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                await stderr.WriteLineAsync($"jdmail ctrl: cannot use the client certificate: {e.Message}");
                return ExitError;
            }
        }

        try
        {
            await using var client = await CtrlClient.ConnectAsync(o.Host, o.Port, o.StartTls, roots, o.Timeout, cancel, clientCertificate);
            var login = await client.LoginAsync(o.User, o.Password, cancel);
            if (!login.Ok) return await Report(o, login, stdout, stderr, "login");
            Func<TextReader> upload = o.InFile is { } f
                ? () => new StreamReader(f, Encoding.UTF8)
                : () => new StreamReader(stdin(), Encoding.UTF8);
            var result = await client.CommandAsync(o.Command, upload, cancel);
            try { await client.CommandAsync(["quit"], null, cancel); }
            catch (CtrlConnectionException) { /* the answer is in; a lost goodbye does not matter */ }
            return await Report(o, result, stdout, stderr, o.Command[0]);
        }
        catch (CtrlConnectionException e)
        {
            await stderr.WriteLineAsync($"jdmail ctrl: {e.Message}");
            return ExitConnection;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reading --in or writing --out failed.
            await stderr.WriteLineAsync($"jdmail ctrl: {e.Message}");
            return ExitError;
        }
    }

    private static async Task<int> Report(CtrlCliOptions o, CtrlResult result, TextWriter stdout, TextWriter stderr, string what)
    {
        var binary = o.Command.Count > 1 && BinaryFormats.Contains(o.Command[^1]);
        if (result.Ok && result.Lines is { } lines && o.OutFile is { } outFile)
        {
            // Downloads can be keys and .p12 files: created readable by the owner only.
            var bytes = binary ? Convert.FromBase64String(string.Concat(lines))
                : new UTF8Encoding(false).GetBytes(string.Concat(result.Rows.Select(r => string.Join('\t', r) + "\n")));
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var file = new FileStream(outFile, options)) await file.WriteAsync(bytes);
        }
        if (o.Json)
        {
            var rows = o.OutFile is null ? result.Rows : [];
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new JsonResult(result.Ok, result.Code, result.Text, rows, o.OutFile),
                new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        }
        else if (result.Ok && o.OutFile is null)
        {
            foreach (var row in result.Rows) await stdout.WriteLineAsync(string.Join('\t', row));
            if (result.Rows.Count == 0) await stdout.WriteLineAsync("OK");
        }
        if (!result.Ok)
        {
            if (!o.Json) await stderr.WriteLineAsync($"jdmail ctrl: {what}: {result}");
            return ExitError;
        }
        return ExitOk;
    }

    private sealed record JsonResult(bool Ok, int Code, string Message, IReadOnlyList<IReadOnlyList<string>> Rows, string? OutFile);
}
