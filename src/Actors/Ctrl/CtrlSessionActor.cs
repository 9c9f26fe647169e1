using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Directory;
using JdMail.Actors.Net;
using JdMail.Actors.Settings;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Ctrl;

/// <summary>What a CTRL session needs from the server, shared by every session of one server.</summary>
/// <param name="Ca">The certificate authority; null when this server runs without one (certificate commands then
/// answer -01000).</param>
public sealed record CtrlServices(CtrlSettings Settings, CtrlAccessGuard Guard, IActorRef Directory, int Pbkdf2Iterations,
    IActorRef? Ca = null, IActorRef? Diagnostics = null);

/// <summary>
/// One CTRL connection (XMail CTRL protocol): greeting, the login line (or <c>#!TLS</c> then the login inside TLS),
/// then commands. Login rules live in <see cref="CtrlStateTable"/>, syntax in <see cref="CtrlTokenizer"/> and
/// <see cref="CtrlParser"/>, command work in <see cref="CtrlDirectoryCommands"/>; this actor does the I/O, the
/// access checks and the failed-login delay.
/// </summary>
public sealed class CtrlSessionActor : LineSessionActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly CtrlServices _services;
    private readonly CtrlSettings _settings;
    private readonly CtrlDirectoryCommands _directoryCommands;
    private readonly CtrlCertificateCommands? _certificateCommands;
    private CtrlPhase _phase = CtrlPhase.Login;
    private string _timestamp = "";
    private string? _user;
    private int _errors;
    private CtrlUploadReader? _upload;
    private CtrlCommand? _uploadFor;

    private sealed record AccessChecked(bool Allowed);
    private sealed record LoginChecked(string User, bool Ok);
    private sealed record LoginRefusedAfterDelay;
    private sealed record CommandDone(CtrlCommand Command, CtrlResponse Response);
    private sealed record CommandFailed(CtrlCommand Command, Exception Error);

    // Same work for an unknown user as for a wrong password (same iteration count), so timing does not reveal
    // account names.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> DummyHashes = new();

    public static Props Props(Socket socket, EndpointSettings endpoint, TlsContext tls, CtrlServices services) =>
        Akka.Actor.Props.Create(() => new CtrlSessionActor(socket, endpoint, tls, services));

    public CtrlSessionActor(Socket socket, EndpointSettings endpoint, TlsContext tls, CtrlServices services)
        // The line reader's cap includes the terminator; longer lines are refused in OnLine as well.
        : base(socket, endpoint, tls, services.Settings.MaxLineLength + 2, services.Settings.IdleTimeout)
    {
        _services = services;
        _settings = services.Settings;
        _directoryCommands = new CtrlDirectoryCommands(services.Directory, services.Pbkdf2Iterations);
        _certificateCommands = services.Ca is { } ca ? new CtrlCertificateCommands(ca, tls, diagnostics: services.Diagnostics) : null;

        Receive<AccessChecked>(OnAccessChecked);
        Receive<LoginChecked>(OnLoginChecked);
        Receive<LoginRefusedAfterDelay>(_ => Close(CtrlReply.BadLogin.ToWire()));
        Receive<CommandDone>(d =>
        {
            Send(d.Response.ToWire());
            if (!d.Response.Reply.Ok)
                Log.Info("{0} {1}: {2}: {3} -> {4}", Endpoint.Name, Conn.Remote, _user, d.Command.Verb, d.Response.Reply);
            Resume();
        });
        Receive<CommandFailed>(f =>
        {
            Log.Error("{0} {1}: {2} failed: {3}", Endpoint.Name, Conn.Remote, f.Command.Verb, f.Error.GetBaseException().Message);
            Send(CtrlReply.LocalError.ToWire());
            Resume();
        });
    }

    private IPAddress RemoteAddress => Normalize(Conn.Remote.Address);

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    protected override string RevokedReply => "-00239 SSL certificate validation failed: client certificate revoked\r\n";

    protected override void OnConnected()
    {
        // ctrl.ipmap.tab is a file: read it off the actor thread; no line is read until the answer is in.
        Suspend();
        var guard = _services.Guard;
        var address = RemoteAddress;
        Task.Run(() => guard.IsAllowed(address)).PipeTo(Self, success: ok => new AccessChecked(ok), failure: _ => new AccessChecked(false));
    }

    private void OnAccessChecked(AccessChecked a)
    {
        if (!a.Allowed)
        {
            Log.Warning("{0} {1}: refused by {2}", Endpoint.Name, Conn.Remote, CtrlAccessGuard.IpMapFileName);
            Close(CtrlReply.IpNotAllowed.ToWire());
            return;
        }
        _timestamp = Timestamp(DateTimeOffset.UtcNow, RandomNumberGenerator.GetInt32(int.MaxValue), Normalize(Conn.Local.Address));
        Send(Greeting(_timestamp, DateTimeOffset.UtcNow));
        Resume();
    }

    /// <summary>XMail's MD5 timestamp <c>&lt;time.random@local-ip&gt;</c> (angle brackets included); XMail uses the thread id.</summary>
    public static string Timestamp(DateTimeOffset now, int random, IPAddress local) =>
        $"<{now.ToUnixTimeSeconds()}.{(uint)random}@{local}>";

    /// <summary>
    /// <c>+00000 &lt;timestamp&gt; JdMail &lt;version&gt; CTRL Server; &lt;RFC 5322 date&gt;</c>. The date is UTC with a
    /// correct <c>+0000</c> (XMail prints <c>-0000</c> for a zero offset).
    /// </summary>
    public static string Greeting(string timestamp, DateTimeOffset now)
    {
        var version = typeof(CtrlSessionActor).Assembly.GetName().Version ?? new Version(0, 0, 0);
        var date = now.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        return new CtrlReply(true, 0, $"{timestamp} JdMail {version.ToString(3)} CTRL Server; {date}").ToWire();
    }

    protected override void OnLineTooLong()
    {
        // Abuse tier: reply and close (the base class closes after this).
        Log.Warning("{0} {1}: command line over {2} bytes, closing", Endpoint.Name, Conn.Remote, _settings.MaxLineLength);
        Close(CtrlReply.LineTooLong.ToWire());
    }

    protected override void OnIdleTimeout() => Close(CtrlReply.Timeout.ToWire());

    protected override void OnLine(byte[] line)
    {
        if (line.Length > _settings.MaxLineLength) { OnLineTooLong(); return; }
        var tokens = CtrlTokenizer.Tokenize(line, _settings.MaxLineLength);
        if (_phase == CtrlPhase.Login) OnLoginLine(tokens);
        else OnCommandLine(tokens);
    }

    private void OnLoginLine(CtrlTokens tokens)
    {
        var tlsOffered = Endpoint.Tls != TlsMode.None && _settings.EnableTls;
        var decision = CtrlStateTable.Login(tokens, Conn.IsTls, tlsOffered, _settings.AllowPlainLoginWithoutTls, Lines.Buffered > 0);
        switch (decision)
        {
            case LoginDecision.StartTls:
                Send(CtrlReply.ReadyForTls.ToWire());
                // XMail CTRL protocol: no new greeting; the login is read again, inside TLS, with the same timestamp.
                StartTls(() => { });
                break;
            case LoginDecision.Refuse r:
                Log.Warning("{0} {1}: login refused: {2}", Endpoint.Name, Conn.Remote, r.Reply);
                Close(r.Reply.ToWire());
                break;
            case LoginDecision.Verify v:
                Verify(v.User, v.Password);
                break;
        }
    }

    private void Verify(string user, string password)
    {
        if (_services.Guard.Throttle.IsBlocked(RemoteAddress))
        {
            // No password check at all while blocked, so guessing gains nothing.
            Log.Warning("{0} {1}: login refused: too many failed logins", Endpoint.Name, Conn.Remote);
            Close(CtrlReply.TooManyFailedLogins.ToWire());
            return;
        }
        Suspend();
        var directory = _services.Directory;
        var iterations = _services.Pbkdf2Iterations;
        CheckAsync(directory, user, password, iterations).PipeTo(Self, success: ok => new LoginChecked(user, ok), failure: _ => new LoginChecked(user, false));
    }

    private static async Task<bool> CheckAsync(IActorRef directory, string user, string password, int iterations)
    {
        var c = await directory.Ask<CtrlCredentialResult>(new GetCtrlCredential(user), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var ok = await Task.Run(() => PasswordHasher.Verify(password, c.PasswordHash
            ?? DummyHashes.GetOrAdd(iterations, n => PasswordHasher.Hash(Guid.NewGuid().ToString(), n)))).ConfigureAwait(false);
        return ok && c.PasswordHash is not null;
    }

    private void OnLoginChecked(LoginChecked c)
    {
        if (!c.Ok)
        {
            _services.Guard.Throttle.RecordFailure(RemoteAddress);
            Log.Warning("{0} {1}: bad CTRL login for '{2}'", Endpoint.Name, Conn.Remote, c.User);
            // Stay suspended: nothing more is read; the reply goes out after the delay, then the session closes.
            // A timer message, so no thread waits and other sessions are never held up.
            Timers.StartSingleTimer("failed-login", new LoginRefusedAfterDelay(), _settings.FailedLoginDelay);
            return;
        }
        _services.Guard.Throttle.RecordSuccess(RemoteAddress);
        _user = c.User.ToLowerInvariant();
        _phase = CtrlPhase.Command;
        Log.Info("{0} {1}: CTRL login '{2}' ({3})", Endpoint.Name, Conn.Remote, _user, Conn.TlsDescription ?? "no TLS");
        Send(CtrlReply.Success.ToWire());
        Resume();
    }

    private void Error(CtrlReply reply)
    {
        if (++_errors >= _settings.MaxErrors) { Close(reply.ToWire() + CtrlReply.TooManyErrors.ToWire()); return; }
        Send(reply.ToWire());
    }

    private void OnCommandLine(CtrlTokens tokens)
    {
        if (!tokens.IsValid) { Error(tokens.Error!); return; }
        var command = CtrlParser.Parse(tokens.Tokens);
        switch (command)
        {
            case InvalidCtrlCommand invalid:
                Error(invalid.Reply);
                return;
            case NoopCommand:
                Send(CtrlReply.Success.ToWire());
                return;
            case QuitCommand:
                Close(CtrlReply.Success.ToWire());
                return;
        }
        Log.Debug("{0} {1}: {2}: {3}", Endpoint.Name, Conn.Remote, _user, command);
        if (CtrlDirectoryCommands.Handles(command)) { Run(command, () => _directoryCommands.ExecuteAsync(command)); return; }
        if (CtrlCertificateCommands.Handles(command))
        {
            if (_certificateCommands is not { } certs) { Send(CtrlReply.LocalError.ToWire()); return; }
            if (CtrlCertificateCommands.NeedsUpload(command)) BeginUpload(command, body => certs.ExecuteAsync(command, body));
            else Run(command, () => certs.ExecuteAsync(command));
            return;
        }
        Error(CtrlReply.BadCommand);
    }

    private void Run(CtrlCommand command, Func<Task<CtrlResponse>> work)
    {
        Suspend();
        Task.Run(work).PipeTo(Self, success: r => new CommandDone(command, r), failure: e => new CommandFailed(command, e));
    }

    /// <summary>
    /// Answers <c>+00101</c> and reads the upload; <paramref name="then"/> runs only after the terminating dot. A
    /// connection that drops before it ends the session with nothing done.
    /// </summary>
    private void BeginUpload(CtrlCommand command, Func<byte[], Task<CtrlResponse>> then)
    {
        Send(CtrlReply.SendData.ToWire());
        _upload = new CtrlUploadReader(_settings.MaxUploadSize);
        _uploadFor = command;
        _uploadThen = then;
        BeginRaw(_upload);
    }

    private Func<byte[], Task<CtrlResponse>>? _uploadThen;

    protected override void OnRawFinished()
    {
        var upload = _upload!;
        var command = _uploadFor!;
        var then = _uploadThen!;
        _upload = null;
        _uploadFor = null;
        _uploadThen = null;
        if (upload.TooLarge) { Send(CtrlReply.UploadTooLarge.ToWire()); return; }
        var body = upload.Body;
        Run(command, () => then(body));
    }
}
