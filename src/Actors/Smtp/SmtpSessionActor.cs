using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Directory;
using JdMail.Actors.Net;
using JdMail.Actors.Sasl;
using JdMail.Actors.Settings;
using JdMail.Actors.Spool;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Smtp;

/// <summary>
/// One SMTP connection (RFC 5321), with STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954), PIPELINING (RFC 2920),
/// SIZE, 8BITMIME and ENHANCEDSTATUSCODES. Order rules live in <see cref="SmtpStateTable"/>, parsing in
/// <see cref="SmtpParser"/>; this actor does the lookups, the spool and the I/O.
/// </summary>
public sealed class SmtpSessionActor : LineSessionActor
{
    private readonly SmtpSettings _settings;
    private readonly string _host;
    private readonly MailRootPaths _paths;
    private readonly IActorRef _directory;
    private readonly IActorRef _delivery;
    private readonly (LoginThrottle Throttle, LoginPolicy Policy)? _logins;

    private SmtpPhase _phase = SmtpPhase.Fresh;
    private string _helo = "";
    private bool _esmtp;
    private string? _authUser;
    private string _mailFrom = "";
    private readonly List<SpoolRecipient> _recipients = [];
    private int _errors;
    // SASL exchange in progress: mechanism and, for LOGIN, the user name already given.
    private string? _saslMechanism;
    private string? _saslUser;
    private SpoolWriter? _spool;
    private bool _dataTooBig, _dataFailed;

    private sealed record RcptChecked(string Address, AddressResolved Result);
    private sealed record LookupFailed(Exception Error);
    private sealed record AuthChecked(string? Address, string Login);
    private sealed record SpoolCommitted(string Path, string Id);
    private sealed record SpoolFailed(Exception Error);

    /// <param name="logins">Shared per-address failure counter and the failure delay; none in tests that do not need it.</param>
    public static Props Props(Socket socket, EndpointSettings endpoint, TlsContext tls, SmtpSettings settings, string host,
        MailRootPaths paths, IActorRef directory, IActorRef delivery, (LoginThrottle Throttle, LoginPolicy Policy)? logins = null) =>
        Akka.Actor.Props.Create(() => new SmtpSessionActor(socket, endpoint, tls, settings, host, paths, directory, delivery, logins));

    public SmtpSessionActor(Socket socket, EndpointSettings endpoint, TlsContext tls, SmtpSettings settings, string host,
        MailRootPaths paths, IActorRef directory, IActorRef delivery, (LoginThrottle Throttle, LoginPolicy Policy)? logins = null)
        : base(socket, endpoint, tls, settings.MaxLineLength, settings.IdleTimeout)
    {
        _logins = logins;
        _settings = settings;
        _host = host;
        _paths = paths;
        _directory = directory;
        _delivery = delivery;

        Receive<RcptChecked>(OnRcptChecked);
        Receive<LookupFailed>(f =>
        {
            Log.Error("{0} {1}: directory lookup failed: {2}", Endpoint.Name, Conn.Remote, f.Error.Message);
            Reply(SmtpReply.LocalError);
            Resume();
        });
        Receive<AuthChecked>(OnAuthChecked);
        Receive<SpoolCommitted>(c =>
        {
            _spool = null;
            Reply(SmtpReply.Queued(c.Id));
            Log.Info("{0} {1}: queued {2} from <{3}> for {4} recipient(s)", Endpoint.Name, Conn.Remote, c.Id, _mailFrom, _recipients.Count);
            _delivery.Tell(new MessageSpooled(c.Path));
            ResetTransaction();
            Resume();
        });
        Receive<SpoolFailed>(f =>
        {
            Log.Error("{0} {1}: spool commit failed: {2}", Endpoint.Name, Conn.Remote, f.Error.Message);
            _spool?.Dispose();
            _spool = null;
            Reply(SmtpReply.LocalError);
            ResetTransaction();
            Resume();
        });
    }

    protected override void PostStop()
    {
        _spool?.Dispose();   // a message never acknowledged leaves nothing behind
        base.PostStop();
    }

    protected override void OnConnected() => Reply(SmtpReply.Greeting(_host));

    protected override string RevokedReply => new SmtpReply(421, "4.7.1", "Client certificate revoked, closing connection").ToWire();

    protected override void OnLineTooLong() => Close(SmtpReply.LineTooLong.ToWire());

    protected override void OnIdleTimeout() => Close(SmtpReply.Timeout(_host).ToWire());

    private void Reply(SmtpReply reply) => Send(reply.ToWire());

    private void Error(SmtpReply reply)
    {
        Reply(reply);
        if (++_errors >= _settings.MaxErrors) Close(SmtpReply.TooManyErrors.ToWire());
    }

    protected override void OnLine(byte[] line)
    {
        if (_saslMechanism is not null) { OnSaslResponse(line); return; }
        var command = SmtpParser.Parse(line);
        if (command is InvalidCommand invalid) { Error(invalid.Reply); return; }
        if (SmtpStateTable.Check(_phase, command.Verb) is { } refusal) { Error(refusal); return; }
        switch (command)
        {
            case EhloCommand e: OnEhlo(e); break;
            case MailCommand m: OnMail(m); break;
            case RcptCommand r: OnRcpt(r); break;
            case DataCommand: OnData(); break;
            case RsetCommand: ResetTransaction(); _phase = SmtpStateTable.After(_phase, "RSET"); Reply(SmtpReply.Ok); break;
            case NoopCommand: Reply(SmtpReply.Ok); break;
            case HelpCommand: Reply(SmtpReply.Help); break;
            case VrfyCommand: Reply(SmtpReply.CannotVrfy); break;   // RFC 5321 §3.5.3: no account harvesting
            case ExpnCommand: Reply(SmtpReply.NotImplemented); break;
            case QuitCommand: Close(SmtpReply.Bye(_host).ToWire()); break;
            case StartTlsCommand: OnStartTls(); break;
            case AuthCommand a: OnAuth(a); break;
        }
    }

    // XMail EnableSMTP-TLS: STARTTLS can be switched off for the whole server.
    private bool StartTlsOffered => Endpoint.Tls == TlsMode.StartTls && _settings.EnableStartTls && !Conn.IsTls;

    private IEnumerable<string> Mechanisms()
    {
        string[] all = ["PLAIN", "LOGIN"];
        var passwords = Conn.IsTls ? all : all.Where(_settings.AuthWithoutTls.Contains);
        // RFC 4422 Appendix A: EXTERNAL only when a trusted client certificate names an account.
        return CertificateAccount is not null ? passwords.Prepend("EXTERNAL") : passwords;
    }

    private void OnEhlo(EhloCommand e)
    {
        // RFC 5321 §4.1.4: EHLO/HELO resets any transaction in progress.
        ResetTransaction();
        _helo = e.Domain;
        _esmtp = e.Extended;
        _phase = SmtpPhase.Greeted;
        if (!e.Extended) { Reply(new SmtpReply(250, null, _host)); return; }
        var lines = new List<string> { $"{_host} Hello {e.Domain}", "PIPELINING", $"SIZE {_settings.MaxMessageSize}", "8BITMIME", "ENHANCEDSTATUSCODES" };
        if (StartTlsOffered) lines.Add("STARTTLS");
        var mechanisms = Mechanisms().ToList();
        if (mechanisms.Count > 0 && _authUser is null) lines.Add("AUTH " + string.Join(' ', mechanisms));
        Reply(new SmtpReply(250, null, lines.ToArray()));
    }

    private void OnMail(MailCommand m)
    {
        // XMail WantTLS (RFC 3207 §4): no mail in clear, except from EaseTLS addresses.
        if (_settings.WantTls && !Conn.IsTls && !_settings.IsEased(Conn.Remote.Address)) { Error(SmtpReply.TlsRequired); return; }
        if (m.Size is { } size && size > _settings.MaxMessageSize) { Error(SmtpReply.MessageTooBig); return; }
        _mailFrom = m.ReversePath;
        _phase = SmtpPhase.Mail;
        Reply(SmtpReply.SenderOk);
    }

    private void OnRcpt(RcptCommand r)
    {
        if (_recipients.Count >= _settings.MaxRecipients) { Reply(SmtpReply.TooManyRecipients); return; }
        var address = r.ForwardPath.Contains('@') ? r.ForwardPath : $"{r.ForwardPath}@{_host}";
        Suspend();
        _directory.Ask<AddressResolved>(new ResolveAddress(address), TimeSpan.FromSeconds(10))
            .PipeTo(Self, success: res => new RcptChecked(address, res), failure: e => new LookupFailed(e));
    }

    private void OnRcptChecked(RcptChecked c)
    {
        switch (c.Result.Kind)
        {
            case AddressKind.LocalAccount:
                // One copy per mailbox: the same account named twice (case, alias) is accepted but stored once.
                if (!_recipients.Any(r => r.LocalDomain == c.Result.Domain && r.LocalUser == c.Result.User))
                    _recipients.Add(new SpoolRecipient(c.Address, c.Result.Domain, c.Result.User));
                _phase = SmtpPhase.Rcpt;
                Reply(SmtpReply.RecipientOk);
                break;
            case AddressKind.UnknownLocalUser:
                Error(SmtpReply.NoSuchUser);
                break;
            default:
                // Relay only for authenticated clients (RFC 5321 §3.6.1: no open relays).
                if (_authUser is null) { Error(SmtpReply.RelayDenied); break; }
                if (!_recipients.Any(r => !r.IsLocal && r.Address.Equals(c.Address, StringComparison.OrdinalIgnoreCase)))
                    _recipients.Add(new SpoolRecipient(c.Address, null, null));
                _phase = SmtpPhase.Rcpt;
                Reply(SmtpReply.RecipientOk);
                break;
        }
        Resume();
    }

    private void OnData()
    {
        var id = NewId();
        var now = DateTimeOffset.UtcNow;
        var envelope = new SpoolEnvelope(id, now.ToUnixTimeSeconds(), Conn.Remote.Address.ToString(), _helo, _authUser,
            Conn.TlsDescription, _mailFrom, _recipients.ToList());
        try
        {
            _spool = new SpoolWriter(_paths.SpoolTemp, _paths.SpoolQueue, envelope, ReceivedHeader(id, now));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Error("{0}: cannot open spool file: {1}", Endpoint.Name, e.Message);
            Reply(SmtpReply.LocalError);
            return;
        }
        _dataTooBig = _dataFailed = false;
        Reply(SmtpReply.StartData);
        BeginRaw(new DataReader(WriteData));
    }

    private void WriteData(ReadOnlySpan<byte> chunk)
    {
        if (_dataTooBig || _dataFailed || _spool is null) return;
        if (_spool.MessageBytes + chunk.Length > _settings.MaxMessageSize) { _dataTooBig = true; return; }
        try { _spool.Write(chunk); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _dataFailed = true; Log.Error("{0}: spool write failed: {1}", Endpoint.Name, e.Message); }
    }

    protected override void OnRawFinished()
    {
        var spool = _spool!;
        if (_dataTooBig || _dataFailed)
        {
            spool.Dispose();
            _spool = null;
            Reply(_dataTooBig ? SmtpReply.MessageTooBig : SmtpReply.LocalError);
            ResetTransaction();
            return;
        }
        // The 250 is sent only once the file is fsync'd and renamed into the queue.
        Suspend();
        Task.Run(spool.Commit).PipeTo(Self,
            success: path => new SpoolCommitted(path, Path.GetFileNameWithoutExtension(path)),
            failure: e => new SpoolFailed(e));
    }

    private byte[] ReceivedHeader(string id, DateTimeOffset now)
    {
        // RFC 5321 §4.4 trace field; "with" keywords from RFC 3848 (ESMTPS = TLS, ESMTPA = AUTH, ESMTPSA = both).
        var with = (_esmtp ? "ESMTP" : "SMTP") + (Conn.IsTls ? "S" : "") + (_authUser is not null ? "A" : "");
        if (!_esmtp && (Conn.IsTls || _authUser is not null)) with = "E" + with;
        var tls = Conn.TlsDescription is { } t ? $" ({t})" : "";
        var forClause = _recipients.Count == 1 ? $"\r\n\tfor <{_recipients[0].Address}>" : "";
        var date = now.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        var helo = SafeHeaderText(_helo);
        return Encoding.ASCII.GetBytes(
            $"Received: from {helo} ([{Conn.Remote.Address}])\r\n\tby {_host} (JdMail) with {with}{tls} id {id}{forClause};\r\n\t{date}\r\n");
    }

    private static string SafeHeaderText(string s) => new(s.Where(c => c is > ' ' and < (char)127 and not '(' and not ')').Take(255).ToArray());

    private void OnStartTls()
    {
        if (Conn.IsTls) { Error(SmtpReply.TlsAlreadyActive); return; }
        if (!StartTlsOffered) { Error(SmtpReply.TlsNotAvailable); return; }
        // RFC 3207 §6 / CVE-2011-0411 class: bytes pipelined behind STARTTLS arrived in clear and must never be
        // executed inside TLS. Refuse the session rather than guess.
        if (Lines.Buffered > 0) { Close(SmtpReply.InjectionAfterStartTls.ToWire()); return; }
        Reply(SmtpReply.ReadyForTls);
        StartTls(() =>
        {
            // RFC 3207 §4.2: forget everything learned before TLS.
            ResetTransaction();
            _phase = SmtpPhase.Fresh;
            _helo = "";
            _esmtp = false;
            _authUser = null;
        });
    }

    private void OnAuth(AuthCommand a)
    {
        if (_authUser is not null) { Error(SmtpReply.AlreadyAuthenticated); return; }
        if (_logins?.Throttle.IsBlocked(Conn.Remote.Address) == true) { Error(SmtpReply.TooManyFailedLogins); return; }
        if (a.Mechanism is not ("PLAIN" or "LOGIN" or "EXTERNAL")) { Error(SmtpReply.AuthMechanismUnknown); return; }
        if (!Mechanisms().Contains(a.Mechanism))
        {
            Error(a.Mechanism == "EXTERNAL" ? SmtpReply.AuthFailed : SmtpReply.EncryptionRequired);
            return;
        }
        _saslMechanism = a.Mechanism;
        _saslUser = null;
        if (a.InitialResponse is { } initial) { OnSaslResponse(Encoding.ASCII.GetBytes(initial)); return; }
        // RFC 4954 §4: an empty challenge for PLAIN and EXTERNAL; LOGIN asks for the user name first.
        Send(a.Mechanism == "LOGIN" ? "334 VXNlcm5hbWU6\r\n" : "334 \r\n");
    }

    private void OnSaslResponse(byte[] line)
    {
        var text = Encoding.ASCII.GetString(line).Trim();
        if (text == "*") { EndSasl(); Error(SmtpReply.AuthCancelled); return; }
        if (_saslMechanism == "EXTERNAL")
        {
            // The response is the authorization identity, empty for "the account the certificate names".
            var authz = SaslPlain.DecodeUtf8(text);
            EndSasl();
            if (authz is null) { Error(SmtpReply.AuthBadBase64); return; }
            Suspend();
            var account = CertificateAccount;
            CredentialCheck.ExternalAsync(_directory, account, authz).PipeTo(Self,
                success: address => new AuthChecked(address, $"EXTERNAL '{authz}' with a certificate for '{account}'"),
                failure: e => new LookupFailed(e));
            return;
        }
        if (_saslMechanism == "PLAIN")
        {
            var creds = SaslPlain.Decode(text);
            if (creds is null) { EndSasl(); Error(SmtpReply.AuthBadBase64); return; }
            if (!SaslPlain.AuthorizationAllowed(creds)) { EndSasl(); Error(SmtpReply.AuthFailed); return; }
            CheckPassword(creds.AuthenticationId, creds.Password);
            return;
        }
        // LOGIN: user name, then password, each base64.
        var value = SaslPlain.DecodeUtf8(text);
        if (value is null) { EndSasl(); Error(SmtpReply.AuthBadBase64); return; }
        if (_saslUser is null) { _saslUser = value; Send("334 UGFzc3dvcmQ6\r\n"); return; }
        CheckPassword(_saslUser, value);
    }

    private void CheckPassword(string login, string password)
    {
        EndSasl();
        Suspend();
        CredentialCheck.VerifyAsync(_directory, login, password, _logins?.Policy.FailureDelay ?? default)
            .PipeTo(Self, success: address => new AuthChecked(address, login), failure: e => new LookupFailed(e));
    }

    private void OnAuthChecked(AuthChecked a)
    {
        if (a.Address is null)
        {
            Log.Warning("{0} {1}: AUTH failed for {2}", Endpoint.Name, Conn.Remote, a.Login);
            _logins?.Throttle.RecordFailure(Conn.Remote.Address);
            Error(SmtpReply.AuthFailed);
        }
        else
        {
            _authUser = a.Address;
            _logins?.Throttle.RecordSuccess(Conn.Remote.Address);
            Log.Info("{0} {1}: authenticated as {2}", Endpoint.Name, Conn.Remote, a.Address);
            Reply(SmtpReply.AuthSucceeded);
        }
        Resume();
    }

    private void EndSasl()
    {
        _saslMechanism = null;
        _saslUser = null;
    }

    private void ResetTransaction()
    {
        _mailFrom = "";
        _recipients.Clear();
        if (_phase is SmtpPhase.Mail or SmtpPhase.Rcpt) _phase = SmtpPhase.Greeted;
    }

    private static string NewId() =>
        $"{DateTime.UtcNow:yyyyMMddHHmmss}{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}";
}
