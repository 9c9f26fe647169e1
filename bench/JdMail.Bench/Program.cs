using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace JdMail.Bench;

/// <summary>
/// The bench/ load generator and CA benchmark. One verb per figure; every verb prints one line of
/// <c>key=value</c> pairs on standard output (the scripts parse it). Options are <c>--name value</c>.
/// The same generator drives JdMail and the peer (Postfix, Dovecot), so client cost is identical on both sides.
/// Certificates are not verified by the generator: verification cost would be the same on both sides and is not
/// what is measured.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: jdmail-bench smtp|idle|pop3|ca|pki|crl [--option value]...");
            return 2;
        }
        var o = Options.Parse(args.Skip(1));
        try
        {
            return args[0] switch
            {
                "smtp" => await SmtpLoad.Run(o),
                "idle" => await IdleSessions.Run(o),
                "pop3" => await Pop3Load.Run(o),
                "ca" => await CaBench.RunActor(o),
                "pki" => CaBench.RunRaw(o),
                "crl" => CaBench.RunCrl(o),
                _ => throw new ArgumentException($"unknown verb {args[0]}"),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"jdmail-bench: {e.Message}");
            return 2;
        }
    }
}

/// <summary>Command-line options as a dictionary with typed getters.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var o = new Options();
        string? key = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (key is not null) o._values[key] = "true";
                key = a[2..];
            }
            else if (key is not null)
            {
                o._values[key] = a;
                key = null;
            }
            else throw new ArgumentException($"unexpected argument {a}");
        }
        if (key is not null) o._values[key] = "true";
        return o;
    }

    public string Str(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int? fallback = null) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture)
        : fallback ?? throw new ArgumentException($"--{name} is required");

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>A line-oriented client connection: plain TCP, implicit TLS, or upgraded with STARTTLS/STLS.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    private LineClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public static async Task<LineClient> Connect(string host, int port, bool implicitTls, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, ct);
            var client = new LineClient(socket, new NetworkStream(socket, ownsSocket: true));
            if (implicitTls) await client.StartTls(ct);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>TLS 1.2 or 1.3 as the server prefers (both servers pick 1.3), no certificate check, no resumption
    /// (each SslStream is a fresh client context).</summary>
    public async Task StartTls(CancellationToken ct)
    {
        if (_start != _end) throw new IOException("bytes buffered before the TLS handshake");
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, ct);
        _stream = ssl;
    }

    public async Task<string> ReadLine(CancellationToken ct)
    {
        while (true)
        {
            var nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, nl - _start).TrimEnd('\r');
                _start = nl + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new IOException("line too long");
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (n == 0) throw new IOException("connection closed by server");
            _end += n;
        }
    }

    /// <summary>An SMTP reply (all lines of a multi-line reply); throws unless its code starts with <paramref name="expect"/>.</summary>
    public async Task<string> SmtpReply(char expect, CancellationToken ct)
    {
        string line;
        var all = new StringBuilder();
        do
        {
            line = await ReadLine(ct);
            all.Append(line).Append('\n');
        } while (line.Length > 3 && line[3] == '-');
        if (line.Length < 3 || line[0] != expect) throw new IOException($"unexpected SMTP reply: {all.ToString().Trim()}");
        return all.ToString();
    }

    public async Task<string> Pop3Ok(CancellationToken ct)
    {
        var line = await ReadLine(ct);
        if (!line.StartsWith("+OK", StringComparison.Ordinal)) throw new IOException($"unexpected POP3 reply: {line}");
        return line;
    }

    /// <summary>Reads a POP3 multi-line body up to the terminating dot line; returns the bytes of the body.</summary>
    public async Task<long> Pop3Body(CancellationToken ct)
    {
        long bytes = 0;
        while (true)
        {
            var line = await ReadLine(ct);
            if (line == ".") return bytes;
            bytes += line.Length + 2;
        }
    }

    public Task Send(string text, CancellationToken ct) => Send(Encoding.ASCII.GetBytes(text), ct);

    public async Task Send(byte[] bytes, CancellationToken ct)
    {
        await _stream.WriteAsync(bytes, ct);
        await _stream.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _stream.DisposeAsync(); } catch (IOException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }
}

/// <summary>
/// SMTP submission load: <c>--clients</c> concurrent sessions share <c>--messages</c> messages of <c>--size</c> bytes.
/// Each session: connect, EHLO, STARTTLS (or implicit TLS with <c>--tls implicit</c>), EHLO, AUTH PLAIN, then
/// <c>--per-session</c> transactions (MAIL, RCPT, DATA, one command at a time, no pipelining), QUIT, reconnect.
/// Stops taking new messages after <c>--max-seconds</c>.
/// </summary>
public static class SmtpLoad
{
    public static async Task<int> Run(Options o)
    {
        var host = o.Str("host", "127.0.0.1");
        var port = o.Int("port");
        var tls = o.Str("tls", "starttls");
        var user = o.Str("user", "");
        var pass = o.Str("pass", "");
        var from = o.Str("from");
        var to = o.Str("to");
        var clients = o.Int("clients", 1);
        var messages = o.Int("messages", 100);
        var perSession = o.Int("per-session", 10);
        var size = o.Int("size", 10 * 1024);
        var deadline = TimeSpan.FromSeconds(o.Double("max-seconds", 60));
        var body = Message(from, to, size);

        var remaining = messages;
        var accepted = 0;
        var sessions = 0;
        var errors = 0;
        string? firstError = null;
        using var cts = new CancellationTokenSource(deadline + TimeSpan.FromSeconds(30));
        var sw = Stopwatch.StartNew();
        bool Take() => sw.Elapsed < deadline && Interlocked.Decrement(ref remaining) >= 0;

        async Task Worker()
        {
            while (Volatile.Read(ref remaining) > 0 && sw.Elapsed < deadline)
            {
                try
                {
                    await using var c = await LineClient.Connect(host, port, tls == "implicit", cts.Token);
                    Interlocked.Increment(ref sessions);
                    await c.SmtpReply('2', cts.Token);
                    await c.Send("EHLO bench.test\r\n", cts.Token);
                    await c.SmtpReply('2', cts.Token);
                    if (tls == "starttls")
                    {
                        await c.Send("STARTTLS\r\n", cts.Token);
                        await c.SmtpReply('2', cts.Token);
                        await c.StartTls(cts.Token);
                        await c.Send("EHLO bench.test\r\n", cts.Token);
                        await c.SmtpReply('2', cts.Token);
                    }
                    if (user.Length > 0)
                    {
                        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{pass}"));
                        await c.Send($"AUTH PLAIN {plain}\r\n", cts.Token);
                        await c.SmtpReply('2', cts.Token);
                    }
                    for (var i = 0; i < perSession && Take(); i++)
                    {
                        await c.Send($"MAIL FROM:<{from}>\r\n", cts.Token);
                        await c.SmtpReply('2', cts.Token);
                        await c.Send($"RCPT TO:<{to}>\r\n", cts.Token);
                        await c.SmtpReply('2', cts.Token);
                        await c.Send("DATA\r\n", cts.Token);
                        await c.SmtpReply('3', cts.Token);
                        await c.Send(body, cts.Token);
                        await c.SmtpReply('2', cts.Token);
                        Interlocked.Increment(ref accepted);
                    }
                    await c.Send("QUIT\r\n", cts.Token);
                    await c.SmtpReply('2', cts.Token);
                }
                catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                    if (e is OperationCanceledException) return;
                    await Task.Delay(50);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Worker)));
        var seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"accepted={accepted} sessions={sessions} errors={errors} seconds={seconds:F3} rate={accepted / seconds:F1}"));
        if (firstError is not null) Console.Error.WriteLine($"first error: {firstError}");
        return errors > 0 && accepted == 0 ? 1 : 0;
    }

    /// <summary>A message of exactly <paramref name="size"/> bytes (CRLF line ends, 76-character body lines, no line
    /// starting with a dot), followed by the end-of-data line.</summary>
    public static byte[] Message(string from, string to, int size)
    {
        var sb = new StringBuilder();
        sb.Append($"From: <{from}>\r\nTo: <{to}>\r\nSubject: bench message\r\nMessage-ID: <bench@bench.test>\r\n\r\n");
        var line = new string('x', 76) + "\r\n";
        while (sb.Length + line.Length <= size) sb.Append(line);
        var rest = size - sb.Length;
        if (rest >= 3) sb.Append(new string('y', rest - 2)).Append("\r\n");
        sb.Append(".\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}

/// <summary>
/// Opens <c>--count</c> sessions (clear, or implicit TLS with <c>--tls implicit</c>), reads each greeting, prints
/// <c>ready=N</c>, and keeps them open and idle for <c>--hold</c> seconds (or until killed). Connects with at most
/// <c>--parallel</c> handshakes in flight.
/// </summary>
public static class IdleSessions
{
    public static async Task<int> Run(Options o)
    {
        var host = o.Str("host", "127.0.0.1");
        var port = o.Int("port");
        var tls = o.Str("tls", "none") == "implicit";
        var count = o.Int("count");
        var parallel = o.Int("parallel", 32);
        var hold = TimeSpan.FromSeconds(o.Double("hold", 120));
        var clients = new LineClient?[count];
        var failed = 0;
        string? firstError = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(600));
        var sw = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(cts.Token);
            try
            {
                var c = await LineClient.Connect(host, port, tls, cts.Token);
                await c.ReadLine(cts.Token);
                clients[i] = c;
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, e.Message, null);
            }
            finally { gate.Release(); }
        }));
        Console.WriteLine(FormattableString.Invariant(
            $"ready={count - failed} failed={failed} seconds={sw.Elapsed.TotalSeconds:F1}"));
        if (firstError is not null) Console.Error.WriteLine($"first error: {firstError}");
        await Console.Out.FlushAsync();
        await Task.Delay(hold);
        foreach (var c in clients) if (c is not null) await c.DisposeAsync();
        return 0;
    }
}

/// <summary>
/// POP3 retrieval: <c>--clients</c> sessions in turn (<c>--rounds</c> times each) log in over implicit TLS (or STLS
/// with <c>--tls stls</c>), STAT, RETR every message 1..N (no DELE, so every round sees the same mailbox), QUIT.
/// <c>--warmup</c> rounds first are not counted (JIT on one side, index building on the other).
/// </summary>
public static class Pop3Load
{
    public static async Task<int> Run(Options o)
    {
        var host = o.Str("host", "127.0.0.1");
        var port = o.Int("port");
        var tls = o.Str("tls", "implicit");
        var user = o.Str("user");
        var pass = o.Str("pass");
        var rounds = o.Int("rounds", 3);
        var warmup = o.Int("warmup", 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(o.Double("max-seconds", 120)));
        long messages = 0, bytes = 0;
        var perRound = new List<double>();
        var sw = Stopwatch.StartNew();
        for (var r = -warmup; r < rounds; r++)
        {
            if (r == 0) { messages = 0; bytes = 0; perRound.Clear(); sw.Restart(); }
            var round = Stopwatch.StartNew();
            await using var c = await LineClient.Connect(host, port, tls == "implicit", cts.Token);
            await c.Pop3Ok(cts.Token);
            if (tls == "stls")
            {
                await c.Send("STLS\r\n", cts.Token);
                await c.Pop3Ok(cts.Token);
                await c.StartTls(cts.Token);
            }
            await c.Send($"USER {user}\r\n", cts.Token);
            await c.Pop3Ok(cts.Token);
            await c.Send($"PASS {pass}\r\n", cts.Token);
            await c.Pop3Ok(cts.Token);
            await c.Send("STAT\r\n", cts.Token);
            var stat = (await c.Pop3Ok(cts.Token)).Split(' ');
            var n = int.Parse(stat[1], CultureInfo.InvariantCulture);
            for (var i = 1; i <= n; i++)
            {
                await c.Send($"RETR {i}\r\n", cts.Token);
                await c.Pop3Ok(cts.Token);
                bytes += await c.Pop3Body(cts.Token);
                messages++;
            }
            await c.Send("QUIT\r\n", cts.Token);
            await c.Pop3Ok(cts.Token);
            perRound.Add(round.Elapsed.TotalSeconds);
        }
        var seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"messages={messages} bytes={bytes} seconds={seconds:F3} rate={messages / seconds:F1} mbps={bytes / seconds / 1e6:F1} rounds={string.Join(',', perRound.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}"));
        return 0;
    }
}
