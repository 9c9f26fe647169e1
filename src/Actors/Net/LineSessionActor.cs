using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Settings;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Net;

/// <summary>
/// Consumes bytes outside line mode (SMTP DATA). Returns how many bytes of <paramref name="data"/> it took and
/// whether it is finished; bytes it did not take go back to line mode (pipelined commands after the data).
/// </summary>
public interface IRawConsumer
{
    (int Consumed, bool Finished) Consume(ReadOnlySpan<byte> data);
}

/// <summary>
/// The I/O half of every line protocol session (SMTP, POP3, CTRL): owns the connection, keeps exactly one read
/// outstanding, splits input into lines, upgrades to TLS (implicit, or on the protocol's command), and closes
/// cleanly. Subclasses hold the protocol: they get lines and decide replies. While a subclass waits for an
/// asynchronous answer (a directory lookup, a spool commit) it calls <see cref="Suspend"/>; pipelined lines stay
/// buffered until <see cref="Resume"/>.
/// </summary>
public abstract class LineSessionActor : ReceiveActor
{
    private const long MaxPendingOutput = 256 * 1024;
    private readonly Socket _socket;
    protected readonly EndpointSettings Endpoint;
    protected readonly TlsContext TlsContext;
    protected readonly ILoggingAdapter Log = Context.GetLogger();
    protected Connection Conn = null!;
    protected LineReader Lines;
    private bool _reading, _suspended, _closing;

    /// <summary>The client certificate of this TLS session and how it was judged; null before TLS or when none was asked.</summary>
    protected ClientCertificateVerdict? ClientCertificate { get; private set; }
    private IRawConsumer? _raw;
    private readonly TimeSpan _idle;

    private sealed record BytesRead(int Count);
    private sealed record ReadFailed(Exception Error);
    private sealed record TlsEstablished(Action Then);
    private sealed record TlsFailed(Exception Error);
    private sealed record OutputDrained;
    private sealed record Closed;

    protected LineSessionActor(Socket socket, EndpointSettings endpoint, TlsContext tls, int maxLine, TimeSpan idle)
    {
        _socket = socket;
        Endpoint = endpoint;
        TlsContext = tls;
        _idle = idle;
        Lines = new LineReader(maxLine);

        Receive<BytesRead>(r =>
        {
            _reading = false;
            if (r.Count == 0) { Stop("peer closed"); return; }
            Lines.Append(Conn.ReadBuffer(r.Count));
            if (_raw is not null) FeedRaw();
            Pump();
        });
        Receive<ReadFailed>(f => Stop($"read failed: {f.Error.GetBaseException().Message}"));
        Receive<TlsEstablished>(t =>
        {
            ClientCertificate = TlsContext.VerdictFor(Conn.Tls!);
            // A session that runs on a client certificate ends when the CA revokes it, not at the next handshake.
            if (ClientCertificate?.Certificate is not null) Context.System.EventStream.Subscribe(Self, typeof(Ca.CertificateRevokedNotice));
            Log.Debug("{0} {1}: TLS {2}{3}", Endpoint.Name, Conn.Remote, Conn.TlsDescription,
                ClientCertificate?.Certificate is { } cc ? $", client certificate {cc.Subject} ({ClientCertificate.Reason})" : "");
            _suspended = false;
            t.Then();
            Pump();
        });
        Receive<TlsFailed>(f =>
        {
            // Worth an administrator's eye (a refused client certificate, a client with no common protocol), but
            // one line only: scanners produce many of these.
            var why = Conn.TlsAttempt is { } attempt && TlsContext.VerdictFor(attempt) is { Accepted: false } v ? $" ({v.Reason})" : "";
            // A refused client certificate is news; a peer that hangs up mid-handshake (scanners, s_time) is not.
            var line = $"{Endpoint.Name} {Conn.Remote}: TLS handshake failed: {f.Error.GetBaseException().Message}{why}";
            if (why.Length > 0) Log.Info(line); else Log.Debug(line);
            Stop("TLS handshake failed");
        });
        Receive<OutputDrained>(_ => Pump());
        Receive<Ca.CertificateRevokedNotice>(n =>
        {
            var serial = n.Serial.ToLowerInvariant().TrimStart('0');
            if (_closing || ClientCertificate?.SerialKey != (serial.Length == 0 ? "0" : serial)) return;
            Log.Warning("{0} {1}: client certificate {2} revoked; closing the session", Endpoint.Name, Conn.Remote, n.Id);
            Close(RevokedReply);
        });
        Receive<Closed>(_ => Context.Stop(Self));
        Receive<ReceiveTimeout>(_ => { if (!_closing) OnIdleTimeout(); });
    }

    protected override void PreStart()
    {
        Conn = new Connection(_socket);
        Context.SetReceiveTimeout(_idle);
        if (Endpoint.Tls == TlsMode.Implicit) StartTls(OnConnected);
        else { OnConnected(); Pump(); }
    }

    protected override void PostStop() => Conn?.Dispose();

    /// <summary>The connection is ready (after the implicit TLS handshake where there is one): send the greeting.</summary>
    protected abstract void OnConnected();

    /// <summary>One complete line, terminator removed.</summary>
    protected abstract void OnLine(byte[] line);

    /// <summary>A line passed the length cap: reply and close (abuse tier).</summary>
    protected abstract void OnLineTooLong();

    protected abstract void OnIdleTimeout();

    /// <summary>
    /// The account a trusted client certificate names (SASL EXTERNAL, RFC 4422 Appendix A), or null: only inside TLS,
    /// only for a certificate that chained to a trust anchor (never a self-signed one), and only when the login rule
    /// is on.
    /// </summary>
    protected string? CertificateAccount =>
        ClientCertificate is { Trusted: true, Certificate: { } c } && Conn.IsTls
            ? CertificateLogin.AccountFor(c, TlsContext.ClientCertificates.Login) : null;

    /// <summary>Last words to a client whose certificate was revoked while the session ran.</summary>
    protected abstract string RevokedReply { get; }

    /// <summary>The raw consumer installed with <see cref="BeginRaw"/> reached its end.</summary>
    protected virtual void OnRawFinished() { }

    protected void Send(string text) => Conn.Send(text);

    /// <summary>Stops line processing until <see cref="Resume"/> (an asynchronous step is under way).</summary>
    protected void Suspend() => _suspended = true;

    protected void Resume()
    {
        _suspended = false;
        Pump();
    }

    /// <summary>Routes the following bytes to <paramref name="consumer"/> instead of the line reader.</summary>
    protected void BeginRaw(IRawConsumer consumer)
    {
        _raw = consumer;
        if (Lines.Buffered > 0) FeedRaw();
    }

    private void FeedRaw()
    {
        var buffered = Lines.TakeRemaining();
        var (used, finished) = _raw!.Consume(buffered);
        if (!finished) return;
        _raw = null;
        Lines.Append(buffered.AsSpan(used));
        OnRawFinished();
    }

    /// <summary>
    /// Flushes the pending reply, then runs the TLS handshake; <paramref name="then"/> runs once TLS is up.
    /// Callers have already refused any plaintext pipelined behind the command (RFC 3207 §6).
    /// </summary>
    protected void StartTls(Action then)
    {
        _suspended = true;
        if (TlsContext.Current is null) { Stop($"no usable server certificate: {TlsContext.LastError}"); return; }
        Conn.UpgradeToTlsAsync(TlsContext.SelectOptions, TlsContext.HandshakeTimeout)
            .PipeTo(Self, success: () => new TlsEstablished(then), failure: e => new TlsFailed(e));
    }

    /// <summary>Sends an optional last reply, then closes once it has been written.</summary>
    protected void Close(string? lastReply = null)
    {
        if (_closing) return;
        _closing = true;
        if (lastReply is not null) Conn.Send(lastReply);
        Conn.CloseAsync(TimeSpan.FromSeconds(2)).PipeTo(Self, success: () => new Closed(), failure: _ => new Closed());
    }

    private void Stop(string reason)
    {
        Log.Debug("{0} {1}: session ends: {2}", Endpoint.Name, Conn.Remote, reason);
        _closing = true;
        Context.Stop(Self);
    }

    private void Pump()
    {
        while (!_suspended && !_closing && _raw is null)
        {
            var status = Lines.TryReadLine(out var line);
            if (status == LineStatus.NeedMore) break;
            if (status == LineStatus.TooLong) { OnLineTooLong(); if (!_closing) Close(); return; }
            OnLine(line);
        }
        if (_suspended || _closing || _reading) return;
        if (Conn.PendingBytes > MaxPendingOutput)
        {
            // The client is not reading our replies: stop reading its input until the output drains.
            Conn.Flushed.PipeTo(Self, success: () => new OutputDrained(), failure: e => new ReadFailed(e));
            return;
        }
        _reading = true;
        Conn.ReadAsync().PipeTo(Self, success: n => new BytesRead(n), failure: e => new ReadFailed(e));
    }
}
