using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Mailbox;
using JdMail.Actors.Net;
using JdMail.Actors.Directory;
using JdMail.Actors.Sasl;
using JdMail.Actors.Settings;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Pop3;

/// <summary>
/// One POP3 connection (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595), AUTH PLAIN (RFC 5034) and response codes
/// (RFC 2449 §8, RFC 3206). Order rules live in <see cref="Pop3StateTable"/>, parsing in <see cref="Pop3Parser"/>,
/// the maildrop in <see cref="MailboxSnapshot"/> and <see cref="MaildirReader"/>; this actor does the lookups and
/// the I/O. APOP is not offered: it needs clear-text passwords on the server and JdMail stores only hashes.
/// Login reads new/ and cur/ in place and moves nothing from new/ to cur/: until QUIT the session changes nothing on
/// disk, so a dropped connection leaves the Maildir exactly as it was (RFC 1939 §6), and UIDs, taken from the unique
/// part of the name, would survive such a move anyway.
/// </summary>
public sealed class Pop3SessionActor : LineSessionActor
{
    private readonly Pop3Settings _settings;
    private readonly (LoginThrottle Throttle, LoginPolicy Policy)? _logins;
    private readonly string _host;
    private readonly MailRootPaths _paths;
    private readonly IActorRef _directory;

    private Pop3Phase _phase = Pop3Phase.Authorization;
    private string? _userName;          // from USER, waiting for PASS
    private bool _saslPending;          // AUTH PLAIN sent "+ ", the next line is the response
    private int _errors;
    private string? _account;
    private IDisposable? _lock;
    private MailboxSnapshot? _mailbox;
    private Stream? _message;           // the message being streamed by RETR/TOP
    private bool _streaming;

    private sealed record AuthChecked(string? Address, string Login);
    private sealed record AuthLookupFailed(Exception Error);
    private sealed record MailboxOpened(MailboxSnapshot Mailbox);
    private sealed record MailboxOpenFailed(Exception Error);
    private sealed record MessageOpened(Stream Stream, MaildirMessage Message, long? TopLines);
    private sealed record MessageOpenFailed(Exception Error);
    private sealed record MessageSent;
    private sealed record MessageSendFailed(Exception Error);
    private sealed record UpdateDone(DeletionResult Result);
    private sealed record UpdateFailed(Exception Error);

    /// <param name="logins">Shared per-address failure counter and the failure delay; none in tests that do not need it.</param>
    public static Props Props(Socket socket, EndpointSettings endpoint, TlsContext tls, Pop3Settings settings, string host,
        MailRootPaths paths, IActorRef directory, (LoginThrottle Throttle, LoginPolicy Policy)? logins = null) =>
        Akka.Actor.Props.Create(() => new Pop3SessionActor(socket, endpoint, tls, settings, host, paths, directory, logins));

    public Pop3SessionActor(Socket socket, EndpointSettings endpoint, TlsContext tls, Pop3Settings settings, string host,
        MailRootPaths paths, IActorRef directory, (LoginThrottle Throttle, LoginPolicy Policy)? logins = null)
        : base(socket, endpoint, tls, settings.MaxLineLength, settings.IdleTimeout)
    {
        _logins = logins;
        _settings = settings;
        _host = host;
        _paths = paths;
        _directory = directory;

        Receive<AuthChecked>(OnAuthChecked);
        Receive<AuthLookupFailed>(f =>
        {
            Log.Error("{0} {1}: directory lookup failed: {2}", Endpoint.Name, Conn.Remote, f.Error.GetBaseException().Message);
            _phase = Pop3Phase.Authorization;
            Reply(Pop3Reply.LocalError);
            Resume();
        });
        Receive<MailboxOpened>(o =>
        {
            _mailbox = o.Mailbox;
            _phase = Pop3Phase.Transaction;
            Log.Info("{0} {1}: {2} logged in, {3} message(s)", Endpoint.Name, Conn.Remote, _account, o.Mailbox.Count);
            Reply(Pop3Reply.Maildrop(o.Mailbox.Count, o.Mailbox.Octets));
            Resume();
        });
        Receive<MailboxOpenFailed>(f =>
        {
            Log.Error("{0} {1}: cannot read the mailbox of {2}: {3}", Endpoint.Name, Conn.Remote, _account, f.Error.GetBaseException().Message);
            ReleaseMailbox();
            Reply(Pop3Reply.MailboxUnavailable);
            Resume();
        });
        Receive<MessageOpened>(OnMessageOpened);
        Receive<MessageOpenFailed>(f =>
        {
            var gone = f.Error.GetBaseException() is FileNotFoundException or DirectoryNotFoundException;
            if (!gone) Log.Error("{0} {1}: cannot open a message: {2}", Endpoint.Name, Conn.Remote, f.Error.GetBaseException().Message);
            Reply(gone ? Pop3Reply.MessageGone : Pop3Reply.LocalError);
            Resume();
        });
        Receive<MessageSent>(_ =>
        {
            EndStreaming();
            Resume();
        });
        Receive<MessageSendFailed>(f =>
        {
            // Part of a message is on the wire already: the session cannot be resynchronised. I/O fault tier.
            EndStreaming();
            Log.Warning("{0} {1}: sending a message failed: {2}", Endpoint.Name, Conn.Remote, f.Error.GetBaseException().Message);
            Context.Stop(Self);
        });
        Receive<UpdateDone>(u =>
        {
            Log.Info("{0} {1}: {2} removed {3} message(s){4}", Endpoint.Name, Conn.Remote, _account, u.Result.Removed,
                u.Result.Succeeded ? "" : $", {u.Result.Failed.Count} failure(s)");
            Close((u.Result.Succeeded ? Pop3Reply.Bye(_host) : Pop3Reply.DeletionFailed).ToWire());
        });
        Receive<UpdateFailed>(f =>
        {
            Log.Error("{0} {1}: applying deletions for {2} failed: {3}", Endpoint.Name, Conn.Remote, _account, f.Error.GetBaseException().Message);
            Close(Pop3Reply.DeletionFailed.ToWire());
        });
    }

    protected override void PostStop()
    {
        // RFC 1939 §8: the maildrop lock ends with the session, whatever ended it. Deletions not applied in UPDATE
        // are simply forgotten (RFC 1939 §6).
        EndStreaming();
        ReleaseMailbox();
        base.PostStop();
    }

    protected override string RevokedReply => "-ERR [AUTH] Client certificate revoked, closing connection\r\n";

    protected override void OnConnected() => Reply(Pop3Reply.Greeting(_host));

    protected override void OnLineTooLong() => Close(Pop3Reply.LineTooLong.ToWire());

    protected override void OnIdleTimeout()
    {
        // A long RETR to a slow reader is not idleness: the write itself is making progress.
        if (_streaming) return;
        // RFC 1939 §3: on the autologout timer the server closes without a response and without entering UPDATE.
        Log.Debug("{0} {1}: idle timeout", Endpoint.Name, Conn.Remote);
        Close();
    }

    private bool AuthAllowed => Conn.IsTls || _settings.AuthWithoutTls;

    // XMail EnablePOP3-TLS: STLS can be switched off for the whole server.
    private bool StlsOffered => Endpoint.Tls == TlsMode.StartTls && _settings.EnableStls && !Conn.IsTls;

    private void Reply(Pop3Reply reply) => Send(reply.ToWire());

    /// <summary>A client mistake: reply, and close once there have been too many (abuse tier).</summary>
    private void Error(Pop3Reply reply)
    {
        Reply(reply);
        if (++_errors >= _settings.MaxErrors) Close(Pop3Reply.TooManyErrors.ToWire());
    }

    protected override void OnLine(byte[] line)
    {
        if (_saslPending) { OnSaslResponse(line); return; }
        var command = Pop3Parser.Parse(line);
        _phase = Pop3StateTable.BeforeCommand(_phase, command.Verb);
        if (_phase == Pop3Phase.Authorization) _userName = null;
        if (command is InvalidCommand invalid) { Error(invalid.Reply); return; }
        if (Pop3StateTable.Check(_phase, command.Verb) is { } refusal) { Error(refusal); return; }
        switch (command)
        {
            case CapaCommand: OnCapa(); break;
            case UserCommand u: OnUser(u); break;
            case PassCommand p: CheckPassword(_userName!, p.Password); break;
            case AuthCommand a: OnAuth(a); break;
            case StlsCommand: OnStls(); break;
            case StatCommand: Reply(Pop3Reply.Stat(_mailbox!.Count, _mailbox.Octets)); break;
            case ListCommand l: OnList(l.Message); break;
            case UidlCommand u: OnUidl(u.Message); break;
            case RetrCommand r: OnRetrieve(r.Message, null); break;
            case TopCommand t: OnRetrieve(t.Message, t.Lines); break;
            case DeleCommand d: OnDele(d.Message); break;
            case RsetCommand:
                _mailbox!.ResetMarks();
                Reply(Pop3Reply.Maildrop(_mailbox.Count, _mailbox.Octets));
                break;
            case NoopCommand: Reply(Pop3Reply.Ok); break;
            case QuitCommand: OnQuit(); break;
        }
    }

    private void OnCapa()
    {
        // RFC 2449 §6. USER and SASL are advertised only where they would be accepted (RFC 2595 §2.1, §4).
        // No APOP: see the class comment.
        var lines = new List<string> { "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING" };
        if (_phase != Pop3Phase.Transaction)
        {
            if (AuthAllowed) lines.Add("USER");
            var mechanisms = Mechanisms();
            if (mechanisms.Count > 0) lines.Add("SASL " + string.Join(' ', mechanisms));
        }
        if (_phase != Pop3Phase.Transaction && StlsOffered) lines.Add("STLS");
        lines.Add("IMPLEMENTATION JdMail");
        Send(Pop3Reply.CapabilityList.ToWire(lines));
    }

    private void OnUser(UserCommand u)
    {
        if (!AuthAllowed) { Error(Pop3Reply.EncryptionRequired(StlsOffered)); return; }
        // The same +OK for every name: USER must not tell which accounts exist.
        _userName = u.Name;
        _phase = Pop3StateTable.After(_phase, "USER");
        Reply(Pop3Reply.UserAccepted);
    }

    private List<string> Mechanisms()
    {
        var list = new List<string>();
        if (CertificateAccount is not null) list.Add("EXTERNAL");
        if (AuthAllowed) list.Add("PLAIN");
        return list;
    }

    private void OnAuth(AuthCommand a)
    {
        var mechanisms = Mechanisms();
        if (mechanisms.Count == 0) { Error(Pop3Reply.EncryptionRequired(StlsOffered)); return; }
        if (a.Mechanism is null) { Send(Pop3Reply.MechanismList.ToWire(mechanisms)); return; }
        if (!mechanisms.Contains(a.Mechanism))
        {
            Error(a.Mechanism == "PLAIN" ? Pop3Reply.EncryptionRequired(StlsOffered) : a.Mechanism == "EXTERNAL" ? Pop3Reply.AuthFailed : Pop3Reply.AuthMechanismUnknown);
            return;
        }
        _saslMechanism = a.Mechanism;
        if (a.InitialResponse is { } initial) { OnSaslResponse(Encoding.ASCII.GetBytes(initial)); return; }
        // RFC 5034 §4: an empty server challenge.
        _saslPending = true;
        Send("+ \r\n");
    }

    private string _saslMechanism = "PLAIN";

    private void OnSaslResponse(byte[] line)
    {
        _saslPending = false;
        var text = Encoding.ASCII.GetString(line).Trim();
        if (text == "*") { Error(Pop3Reply.AuthCancelled); return; }      // RFC 5034 §4
        if (_saslMechanism == "EXTERNAL")
        {
            // The response is the authorization identity; empty ("=") means the account the certificate names.
            var authz = SaslPlain.DecodeUtf8(text);
            if (authz is null) { Error(Pop3Reply.AuthBadBase64); return; }
            _userName = null;
            Suspend();
            var account = CertificateAccount;
            CredentialCheck.ExternalAsync(_directory, account, authz).PipeTo(Self,
                success: address => new AuthChecked(address, $"EXTERNAL '{authz}' with a certificate for '{account}'"),
                failure: e => new AuthLookupFailed(e));
            return;
        }
        var creds = SaslPlain.Decode(text);
        if (creds is null) { Error(Pop3Reply.AuthBadBase64); return; }
        if (!SaslPlain.AuthorizationAllowed(creds)) { Error(Pop3Reply.AuthFailed); return; }
        CheckPassword(creds.AuthenticationId, creds.Password);
    }

    private void CheckPassword(string login, string password)
    {
        if (_logins?.Throttle.IsBlocked(Conn.Remote.Address) == true) { _userName = null; Error(Pop3Reply.TooManyFailedLogins); return; }
        _userName = null;
        Suspend();
        CredentialCheck.VerifyAsync(_directory, login, password, _logins?.Policy.FailureDelay ?? default)
            .PipeTo(Self, success: address => new AuthChecked(address, login), failure: e => new AuthLookupFailed(e));
    }

    private void OnAuthChecked(AuthChecked a)
    {
        if (a.Address is null)
        {
            // Unknown user and wrong password get the same reply (RFC 3206 §4 AUTH) and the same cost.
            Log.Warning("{0} {1}: POP3 login failed for {2}", Endpoint.Name, Conn.Remote, a.Login);
            _logins?.Throttle.RecordFailure(Conn.Remote.Address);
            _phase = Pop3Phase.Authorization;
            Error(Pop3Reply.AuthFailed);
            Resume();
            return;
        }
        var at = a.Address.LastIndexOf('@');
        var maildir = _paths.Maildir(a.Address[(at + 1)..], a.Address[..at]);
        _lock = MailboxLockRegistry.Shared.TryAcquire(maildir);
        if (_lock is null)
        {
            // RFC 1939 §8 exclusive access; RFC 2449 §8.1.1 IN-USE.
            Log.Info("{0} {1}: mailbox of {2} is in use", Endpoint.Name, Conn.Remote, a.Address);
            _phase = Pop3Phase.Authorization;
            Reply(Pop3Reply.InUse);
            Resume();
            return;
        }
        _account = a.Address;
        _logins?.Throttle.RecordSuccess(Conn.Remote.Address);
        Task.Run(() => MaildirReader.Load(maildir))
            .PipeTo(Self, success: m => new MailboxOpened(m), failure: e => new MailboxOpenFailed(e));
    }

    private void ReleaseMailbox()
    {
        _lock?.Dispose();
        _lock = null;
        _mailbox = null;
        _account = null;
        _phase = Pop3Phase.Authorization;
    }

    private void OnStls()
    {
        if (Conn.IsTls) { Error(Pop3Reply.TlsAlreadyActive); return; }
        if (Endpoint.Tls != TlsMode.StartTls || !_settings.EnableStls) { Error(Pop3Reply.TlsNotAvailable); return; }
        // RFC 2595 §4 and the STARTTLS command-injection class: bytes pipelined behind STLS arrived in clear and
        // must never be read as if they came through TLS. Refuse the session rather than guess.
        if (Lines.Buffered > 0) { Close(Pop3Reply.InjectionAfterStls.ToWire()); return; }
        Reply(Pop3Reply.ReadyForTls);
        StartTls(() =>
        {
            // RFC 2595 §4: after the handshake the session starts again in a fresh AUTHORIZATION state.
            _phase = Pop3Phase.Authorization;
            _userName = null;
            _saslPending = false;
        });
    }

    private MaildirMessage? FindVisible(long number)
    {
        switch (_mailbox!.Find(number, out var message))
        {
            case MailboxSnapshot.Lookup.Found: return message;
            case MailboxSnapshot.Lookup.Deleted: Reply(Pop3Reply.MessageDeleted); return null;
            default: Reply(Pop3Reply.NoSuchMessage); return null;
        }
    }

    private void OnList(long? number)
    {
        if (number is { } n)
        {
            if (FindVisible(n) is { } m) Reply(Pop3Reply.Scan(m.Number, m.Size));
            return;
        }
        var box = _mailbox!;
        Send(Pop3Reply.Maildrop(box.Count, box.Octets).ToWire(box.Visible.Select(m => $"{m.Number} {m.Size}")));
    }

    private void OnUidl(long? number)
    {
        if (number is { } n)
        {
            if (FindVisible(n) is { } m) Reply(Pop3Reply.UniqueId(m.Number, m.Uid));
            return;
        }
        Send(Pop3Reply.UniqueIdList.ToWire(_mailbox!.Visible.Select(m => $"{m.Number} {m.Uid}")));
    }

    private void OnRetrieve(long number, long? topLines)
    {
        if (FindVisible(number) is not { } message) return;
        // One message at a time: pipelined commands wait until this one is on the wire, which also stops reading
        // from a client that is not reading its mail.
        Suspend();
        Task.Run(() => (Stream)MaildirReader.Open(message))
            .PipeTo(Self, success: s => new MessageOpened(s, message, topLines), failure: e => new MessageOpenFailed(e));
    }

    private void OnMessageOpened(MessageOpened o)
    {
        _message = o.Stream;
        _streaming = true;
        Reply(o.TopLines is null ? Pop3Reply.MessageFollows(o.Message.Size) : Pop3Reply.TopFollows);
        var file = o.Stream;
        var top = o.TopLines;
        Conn.Send(wire => DotStuffer.CopyAsync(file, wire, top));
        Conn.Flushed.PipeTo(Self, success: () => new MessageSent(), failure: e => new MessageSendFailed(e));
    }

    private void EndStreaming()
    {
        _streaming = false;
        _message?.Dispose();
        _message = null;
    }

    private void OnDele(long number)
    {
        if (FindVisible(number) is not { } message) return;
        _mailbox!.MarkDeleted(message.Number);
        Reply(Pop3Reply.Deleted(message.Number));
    }

    private void OnQuit()
    {
        if (_phase != Pop3Phase.Transaction) { Close(Pop3Reply.Bye(_host).ToWire()); return; }
        // RFC 1939 §6: the UPDATE state; deletions are applied now and only now.
        _phase = Pop3StateTable.After(_phase, "QUIT");
        var doomed = _mailbox!.MarkedForDeletion;
        if (doomed.Count == 0) { Close(Pop3Reply.Bye(_host).ToWire()); return; }
        Suspend();
        Task.Run(() => MaildirReader.Delete(doomed))
            .PipeTo(Self, success: r => new UpdateDone(r), failure: e => new UpdateFailed(e));
    }
}
