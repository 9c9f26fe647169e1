using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Ca;
using JdMail.Actors.Net;
using JdMail.Actors.Server;
using JdMail.Actors.Settings;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Diagnostics;

/// <summary>
/// The always-current diagnostics view of a running server (product §2.3). Fed by events: endpoints bound or failed
/// (<see cref="ListenerBound"/>, <see cref="ListenerFailed"/>, and the server's <see cref="ServerEndpoints"/> once all
/// have answered), CA notices (installed, revoked, CRL published), which drop the cached checks and refresh the CA's
/// status. File checks run on demand through <see cref="DiagnosticsEngine"/>, which re-reads a file only when it
/// changed. <see cref="GetDiagnostics"/> is answered with a <see cref="DiagnosticsReport"/>; with a probe, the
/// connections run on the thread pool and the report is piped to the asker, so the actor never blocks.
/// Once every endpoint has answered, a summary goes to the log: one line, then one per item that is not OK.
/// </summary>
public sealed class DiagnosticsActor : ReceiveActor
{
    private readonly JdMailSettings _settings;
    private readonly DiagnosticsSettings _diag;
    private readonly TlsContext? _tls;
    private readonly IActorRef? _server;
    private readonly IActorRef? _ca;
    private readonly DiagnosticsEngine _engine;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, ListenerBound> _bound = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ListenerFailed> _failed = new(StringComparer.Ordinal);
    private bool _complete;
    private bool _summaryLogged;
    private CaView? _caView;

    /// <param name="server">Asked for <see cref="GetEndpoints"/>; null when only events feed the listener state.</param>
    /// <param name="ca">Asked for <see cref="GetCaStatus"/>; null to read the CA from sslconf/ only.</param>
    public static Props Props(JdMailSettings settings, DiagnosticsSettings diag, TlsContext? tls = null, IActorRef? server = null,
        IActorRef? ca = null) => Akka.Actor.Props.Create(() => new DiagnosticsActor(settings, diag, tls, server, ca));

    public DiagnosticsActor(JdMailSettings settings, DiagnosticsSettings diag, TlsContext? tls, IActorRef? server, IActorRef? ca)
    {
        _settings = settings;
        _diag = diag;
        _tls = tls;
        _server = server;
        _ca = ca;
        _engine = new DiagnosticsEngine(settings, diag);
        // Without a server to ask, the events are all there is: the state counts as complete from the start.
        _complete = server is null;

        Receive<ListenerBound>(b =>
        {
            _bound[b.Endpoint.Name] = b;
            _failed.Remove(b.Endpoint.Name);
        });
        Receive<ListenerFailed>(f =>
        {
            _failed[f.Endpoint.Name] = f;
            _bound.Remove(f.Endpoint.Name);
        });
        Receive<ServerEndpoints>(e =>
        {
            foreach (var b in e.Bound) _bound[b.Endpoint.Name] = b;
            foreach (var f in e.Failed) _failed[f.Endpoint.Name] = f;
            _complete = true;
            LogSummary();
        });
        // An empty journal means the CA has not adopted the first-start files yet: sslconf/ is the better witness.
        Receive<CaStatusResult>(s => _caView = s.ItemCount > 0 ? CaView.FromStatus(s) : null);
        Receive<CertificateInstalledNotice>(_ => Changed());
        Receive<CertificateRevokedNotice>(_ => Changed());
        Receive<CrlPublishedNotice>(_ => Changed());
        Receive<GetDiagnostics>(q =>
        {
            var state = State();
            var items = Items(state);
            var now = DateTime.UtcNow;
            if (!q.Probe)
            {
                Sender.Tell(new DiagnosticsReport(items, [], now));
                return;
            }
            var options = new ProbeOptions(_engine.Paths, _settings.HostName, _diag.ProbeTimeout, _settings.Tls.ClientCerts.WantCert);
            var extra = NotProbed(state);
            var order = _settings.Listeners.Endpoints.Select(e => e.Name).ToList();
            SelfProbe.RunAsync(SelfProbe.Targets(state).OrderBy(t => order.IndexOf(t.Endpoint)), options).PipeTo(Sender,
                success: probes => new DiagnosticsReport([.. items, .. probes.Select(p => p.Item), .. extra], probes, now),
                failure: e => new DiagnosticsReport([.. items, DiagnosticItem.Fail(DiagnosticChecks.AreaProbe, "run",
                    $"the probe could not run: {e.GetBaseException().Message}. See the server log.")], [], now));
        });
    }

    protected override void PreStart()
    {
        var events = Context.System.EventStream;
        foreach (var t in new[] { typeof(ListenerBound), typeof(ListenerFailed), typeof(CertificateInstalledNotice),
                     typeof(CertificateRevokedNotice), typeof(CrlPublishedNotice) })
            events.Subscribe(Self, t);
        // The server answers once every endpoint has bound or failed, whatever happened before we subscribed.
        _server?.Tell(new GetEndpoints());
        _ca?.Tell(new GetCaStatus());
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Changed()
    {
        _engine.Invalidate();
        _ca?.Tell(new GetCaStatus());
    }

    private ListenerState State() => new(_bound.Values.ToList(), _failed.Values.ToList(), _complete, true);

    private List<DiagnosticItem> Items(ListenerState state)
    {
        var items = _engine.Check(state, _caView, DateTime.UtcNow).ToList();
        // What the TLS layer serves: a broken pair on disk never replaces the last good certificate.
        if (_tls is not null && _tls.Current is { } served && _tls.LastError is not null)
        {
            for (var i = 0; i < items.Count; i++)
                if (items[i] is { Area: DiagnosticChecks.AreaServer, Status: not DiagnosticStatus.Ok } bad)
                    items[i] = bad with { Detail = $"{bad.Detail} Meanwhile the last good certificate ({served.Subject}, valid until {MailRootView.Time(served.NotAfter)}) is still served." };
        }
        return items;
    }

    /// <summary>Configured ctrl endpoints that are not listening are reported by the probe too, with the reason.</summary>
    private List<DiagnosticItem> NotProbed(ListenerState state) => _settings.Listeners.Endpoints
        .Where(e => e.Tls != TlsMode.None && !state.Bound.Any(b => b.Endpoint.Name == e.Name))
        .Select(e => DiagnosticItem.Warn(DiagnosticChecks.AreaProbe, e.Name,
            $"{SelfProbe.UpgradeName(e.Protocol, e.Tls)} on {e.Address}:{e.Port} not probed: the endpoint is not listening " +
            (state.Failed.Any(f => f.Endpoint.Name == e.Name) ? "(it failed to bind; see the listeners item)." :
             $"({e.Protocol.ToString().ToUpperInvariant()} is not available in this build or not open yet). See the listeners item."))).ToList();

    private void LogSummary()
    {
        if (_summaryLogged) return;
        _summaryLogged = true;
        var items = Items(State());
        _log.Info("diagnostics: {0} OK, {1} WARN, {2} FAIL ({3})", items.Count(i => i.Status == DiagnosticStatus.Ok),
            items.Count(i => i.Status == DiagnosticStatus.Warn), items.Count(i => i.Status == DiagnosticStatus.Fail),
            "details: jdmail diag");
        foreach (var i in items.Where(i => i.Status != DiagnosticStatus.Ok))
            if (i.Status == DiagnosticStatus.Fail) _log.Error("diagnostics: {0}", i);
            else _log.Warning("diagnostics: {0}", i);
    }
}
