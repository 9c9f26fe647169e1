using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using JdMail.Actors.Ca;
using JdMail.Actors.Ctrl;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Directory;
using JdMail.Actors.Net;
using JdMail.Actors.Outbound;
using JdMail.Actors.Sasl;
using JdMail.Actors.Settings;
using JdMail.Actors.Smtp;
using JdMail.Actors.Spool;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Server;

/// <summary>Asks which endpoints are listening; answered with <see cref="ServerEndpoints"/> once all are up.</summary>
public sealed record GetEndpoints;
public sealed record ServerEndpoints(IReadOnlyList<ListenerBound> Bound, IReadOnlyList<ListenerFailed> Failed);

/// <summary>
/// The root of a running JdMail: starts the directory (under a backoff supervisor), applies the first-start
/// accounts, starts delivery, then opens every endpoint. Writes <c>endpoints.tab</c> once all endpoints have
/// answered, so scripts and tests learn real ports when port 0 was configured.
/// </summary>
public sealed class ServerActor : ReceiveActor
{
    private readonly JdMailSettings _settings;
    private readonly MailRootPaths _paths;
    private readonly Func<ApplyBootstrap> _bootstrap;
    private readonly TlsContext _tls;
    // One counter for SMTP AUTH and POP3: a guesser gains nothing by switching protocol.
    private readonly LoginThrottle _mailLogins;
    private readonly CaSettings _caSettings;
    private readonly Action<IActorRef>? _caStarted;
    private readonly CtrlAccessGuard _ctrlGuard;
    private readonly DiagnosticsSettings _diagnosticsSettings;
    private readonly Action<IActorRef>? _diagnosticsStarted;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ListenerBound> _bound = [];
    private readonly List<ListenerFailed> _failed = [];
    private readonly List<IActorRef> _waiting = [];
    private int _expected;

    public IActorRef Directory { get; private set; } = ActorRefs.Nobody;
    public IActorRef Delivery { get; private set; } = ActorRefs.Nobody;
    /// <summary>The CA (its backoff supervisor, which forwards to the running <see cref="CertificateAuthorityActor"/>).</summary>
    public IActorRef Ca { get; private set; } = ActorRefs.Nobody;
    public IActorRef Outbound { get; private set; } = ActorRefs.Nobody;
    /// <summary>The <see cref="DiagnosticsActor"/> (asked with <see cref="GetDiagnostics"/>).</summary>
    public IActorRef Diagnostics { get; private set; } = ActorRefs.Nobody;

    private sealed record BootstrapDone;
    private sealed record BootstrapFailed(string Reason);
    private sealed record BootstrapSkipped;
    private sealed record BootstrapAlreadyApplied;

    /// <param name="caStarted">Called with the CA's reference once it is spawned (the host registers it).</param>
    /// <param name="diagnosticsStarted">Called with the diagnostics actor's reference once it is spawned.</param>
    public static Props Props(JdMailSettings settings, TlsContext tls, Func<ApplyBootstrap> bootstrap, CaSettings? ca = null,
        Action<IActorRef>? caStarted = null, DiagnosticsSettings? diagnostics = null, Action<IActorRef>? diagnosticsStarted = null) =>
        Akka.Actor.Props.Create(() => new ServerActor(settings, tls, bootstrap, ca, caStarted, diagnostics, diagnosticsStarted));

    public ServerActor(JdMailSettings settings, TlsContext tls, Func<ApplyBootstrap> bootstrap, CaSettings? ca = null,
        Action<IActorRef>? caStarted = null, DiagnosticsSettings? diagnostics = null, Action<IActorRef>? diagnosticsStarted = null)
    {
        _diagnosticsSettings = diagnostics ?? DiagnosticsSettings.Default;
        _diagnosticsStarted = diagnosticsStarted;
        _caSettings = ca ?? CaSettings.Default;
        _caStarted = caStarted;
        _settings = settings;
        _paths = new MailRootPaths(settings.MailRoot);
        _bootstrap = bootstrap;
        _tls = tls;
        _mailLogins = new LoginThrottle(settings.MailLogins.MaxFailures, settings.MailLogins.Window);
        _ctrlGuard = new CtrlAccessGuard(settings.MailRoot, settings.Ctrl);

        Receive<BootstrapDone>(_ => OpenEndpoints());
        Receive<BootstrapSkipped>(_ =>
        {
            if (_settings.Bootstrap.Users.Count > 0 || _settings.Bootstrap.CtrlPassword.Length > 0)
                _log.Warning("jdmail.bootstrap is ignored: this MailRoot was set up on an earlier start; manage accounts over CTRL");
            OpenEndpoints();
        });
        Receive<BootstrapFailed>(f =>
        {
            _log.Error("first-start accounts could not be applied: {0}", f.Reason);
            OpenEndpoints();
        });
        Receive<ListenerBound>(b => { _bound.Add(b); Check(); });
        Receive<ListenerFailed>(f => { _failed.Add(f); Check(); });
        Receive<GetEndpoints>(_ =>
        {
            if (_bound.Count + _failed.Count == _expected && _expected > 0) Sender.Tell(new ServerEndpoints(_bound, _failed));
            else _waiting.Add(Sender);
        });
    }

    protected override void PreStart()
    {
        Directory = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(DirectoryActor.Props(_paths), "directory",
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)), "directory-supervisor");
        Delivery = Context.ActorOf(DeliveryActor.Props(_paths, _settings.HostName), "delivery");
        Ca = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(CertificateAuthorityActor.Props(_paths, _caSettings), "ca",
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)), "ca-supervisor");
        _caStarted?.Invoke(Ca);
        if (_settings.Outbound.Enabled)
            Outbound = Context.ActorOf(OutboundActor.Props(_settings.Outbound, _paths, _settings.HostName, _settings.Tls, Directory, Delivery), "outbound");
        Diagnostics = Context.ActorOf(DiagnosticsActor.Props(_settings, _diagnosticsSettings, _tls, Self, Ca), "diagnostics");
        _diagnosticsStarted?.Invoke(Diagnostics);
        Context.System.EventStream.Subscribe(Self, typeof(ListenerBound));
        Context.System.EventStream.Subscribe(Self, typeof(ListenerFailed));
        // The first-start accounts are hashed (slow by design) only when the directory has not applied them yet.
        var (directory, bootstrap) = (Directory, _bootstrap);
        ApplyBootstrapIfNeeded(directory, bootstrap).PipeTo(Self,
            success: r => r switch
            {
                DirectoryRejected rej => new BootstrapFailed(rej.Message),
                BootstrapAlreadyApplied => new BootstrapSkipped(),
                _ => new BootstrapDone(),
            },
            failure: e => new BootstrapFailed(e.Message));
    }

    private static async Task<object> ApplyBootstrapIfNeeded(IActorRef directory, Func<ApplyBootstrap> bootstrap)
    {
        var state = await directory.Ask<DirectoryState>(new GetDirectorySnapshot(), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (state.BootstrapDone) return new BootstrapAlreadyApplied();
        var command = await Task.Run(bootstrap).ConfigureAwait(false);
        return await directory.Ask<object>(command, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    private void OpenEndpoints()
    {
        var endpoints = _settings.Listeners.Endpoints.Where(e => SessionFactory(e) is not null).ToList();
        foreach (var e in _settings.Listeners.Endpoints.Where(e => SessionFactory(e) is null))
            _log.Warning("{0}: {1} is not available in this build; endpoint not opened", e.Name, e.Protocol);
        _expected = endpoints.Count;
        foreach (var e in endpoints)
            Context.ActorOf(ListenerActor.Props(e, SessionFactory(e)!, _settings.Listeners.MaxConnections, BusyReply(e.Protocol)), $"listener-{e.Name}");
        if (_expected == 0) _log.Warning("no endpoint is enabled");
    }

    /// <summary>What a connection over the limit is told before it is closed (RFC 5321 §3.8 421, RFC 2449 SYS/TEMP, XMail 00129).</summary>
    private static byte[] BusyReply(Protocol protocol) => Encoding.ASCII.GetBytes(protocol switch
    {
        Protocol.Smtp => "421 4.3.2 Too many connections, try again later\r\n",
        Protocol.Pop3 => "-ERR [SYS/TEMP] Too many connections, try again later\r\n",
        _ => "-00129 Server too busy, retry later\r\n",
    });

    /// <summary>How a session of this endpoint's protocol is made, or null when the protocol is not available.</summary>
    private Func<System.Net.Sockets.Socket, Props>? SessionFactory(EndpointSettings e)
    {
        var (settings, tls, paths, directory, delivery) = (_settings, _tls, _paths, Directory, Delivery);
        var (ctrlGuard, ca, diagnostics) = (_ctrlGuard, Ca, Diagnostics);
        (LoginThrottle, LoginPolicy)? logins = (_mailLogins, _settings.MailLogins);
        return e.Protocol switch
        {
            Protocol.Smtp => socket => SmtpSessionActor.Props(socket, e, tls, settings.Smtp, settings.HostName, paths, directory, delivery, logins),
            Protocol.Pop3 => socket => Pop3.Pop3SessionActor.Props(socket, e, tls, settings.Pop3, settings.HostName, paths, directory, logins),
            Protocol.Ctrl => socket => CtrlSessionActor.Props(socket, e, tls, new CtrlServices(settings.Ctrl, ctrlGuard, directory, settings.Pbkdf2Iterations, ca, diagnostics)),
            _ => null,
        };
    }

    private void Check()
    {
        if (_bound.Count + _failed.Count != _expected) return;
        if (_failed.Count > 0)
        {
            // A configured endpoint that cannot be opened (port taken, address not on this host) is fatal: a server
            // that silently misses a port is worse than one that says so and exits (exit code 3).
            _log.Error("cannot open {0}; stopping. Free the port(s) or change jdmail.listeners.", string.Join(", ",
                _failed.Select(f => $"{f.Endpoint.Name} ({f.Endpoint.Address}:{f.Endpoint.Port}: {f.Reason})")));
            var failedReply = new ServerEndpoints(_bound.ToList(), _failed.ToList());
            foreach (var w in _waiting) w.Tell(failedReply);
            _waiting.Clear();
            Environment.ExitCode = 3;
            CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
            return;
        }
        var sb = new StringBuilder();
        sb.Append("# JdMail endpoints of the running server: name, protocol, tls, address, port\n");
        foreach (var b in _bound)
            sb.Append($"\"{b.Endpoint.Name}\"\t\"{b.Endpoint.Protocol.ToString().ToLowerInvariant()}\"\t\"{b.Endpoint.Tls.ToString().ToLowerInvariant()}\"\t\"{b.BoundTo.Address}\"\t\"{b.BoundTo.Port}\"\n");
        Durable.WriteAllText(_paths.EndpointsFile, sb.ToString());
        _log.Info("JdMail ready: {0} endpoint(s) listening{1}", _bound.Count, _failed.Count > 0 ? $", {_failed.Count} failed" : "");
        var reply = new ServerEndpoints(_bound.ToList(), _failed.ToList());
        foreach (var w in _waiting) w.Tell(reply);
        _waiting.Clear();
    }
}
