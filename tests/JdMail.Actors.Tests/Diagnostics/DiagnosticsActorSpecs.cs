using System.Net;
using Akka.Actor;
using Akka.Configuration;
using JdMail.Actors.Ca;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Net;
using JdMail.Actors.Server;
using Xunit.Abstractions;

namespace JdMail.Actors.Tests.Diagnostics;

/// <summary>The actor's view is fed by events: listener bound/failed, the server's endpoint list, CA notices.</summary>
public sealed class DiagnosticsActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public DiagnosticsActorSpecs(ITestOutputHelper output) : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING"), null, output) { }

    private async Task<DiagnosticsReport> AskAsync(IActorRef actor, bool probe = false) =>
        await actor.Ask<DiagnosticsReport>(new GetDiagnostics(probe), Wait);

    [Fact]
    public async Task Listener_events_on_the_event_stream_update_the_listener_items()
    {
        using var m = new DiagnosticsMailRoot();
        var server = CreateTestProbe();
        var actor = Sys.ActorOf(DiagnosticsActor.Props(m.Settings, DiagnosticsSettings.Default, server: server.Ref));
        // The actor asks the server for the endpoint list when it starts; its subscriptions are in place by then.
        await server.ExpectMsgAsync<GetEndpoints>(Wait);

        var starting = await AskAsync(actor);
        Assert.Contains("the server is still starting", starting.Find("listeners", "smtp")!.Detail);

        var smtp = m.Settings.Listeners.Endpoints.Single(e => e.Name == "smtp");
        var pop3s = m.Settings.Listeners.Endpoints.Single(e => e.Name == "pop3s");
        Sys.EventStream.Publish(new ListenerBound(smtp, new IPEndPoint(IPAddress.Loopback, 40025)));
        Sys.EventStream.Publish(new ListenerFailed(pop3s, "Address already in use"));
        actor.Tell(new ServerEndpoints([], []), server.Ref);   // every endpoint has answered

        var report = await AskAsync(actor);
        Assert.Equal(DiagnosticStatus.Ok, report.Find("listeners", "smtp")!.Status);
        Assert.Contains("127.0.0.1:40025", report.Find("listeners", "smtp")!.Detail);
        Assert.Equal(DiagnosticStatus.Fail, report.Find("listeners", "pop3s")!.Status);
        Assert.Contains("Address already in use", report.Find("listeners", "pop3s")!.Detail);
        Assert.Contains("not available in this build", report.Find("listeners", "ctrl")!.Detail);
    }

    [Fact]
    public async Task The_ca_status_is_asked_at_start_and_again_after_every_ca_notice()
    {
        using var m = new DiagnosticsMailRoot();
        var ca = CreateTestProbe();
        var actor = Sys.ActorOf(DiagnosticsActor.Props(m.Settings, DiagnosticsSettings.Default, ca: ca.Ref));
        await ca.ExpectMsgAsync<GetCaStatus>(Wait);
        actor.Tell(new CaStatusResult("ca", "server-bootstrap", ["ca"], 1, [], 2,
            ["server-bootstrap: missing chain.pem in sslconf/server-bootstrap; restore them from a backup or delete the item."], []), ca.Ref);
        var report = await AskAsync(actor);
        Assert.Equal(DiagnosticStatus.Warn, report.Find("ca", "store")!.Status);
        Assert.Contains("missing chain.pem", report.Find("ca", "store")!.Detail);

        Sys.EventStream.Publish(new CrlPublishedNotice("ca", 2, DateTime.UtcNow.AddDays(7)));
        await ca.ExpectMsgAsync<GetCaStatus>(Wait);
        actor.Tell(new CaStatusResult("ca", "server-bootstrap", ["ca"], 2, [], 2, [], []), ca.Ref);
        Assert.Equal(DiagnosticStatus.Ok, (await AskAsync(actor)).Find("ca", "store")!.Status);
    }

    [Fact]
    public async Task A_probe_request_with_nothing_listening_reports_every_tls_endpoint_as_not_probed()
    {
        using var m = new DiagnosticsMailRoot();
        var actor = Sys.ActorOf(DiagnosticsActor.Props(m.Settings, DiagnosticsSettings.Default));
        var report = await AskAsync(actor, probe: true);
        Assert.Empty(report.Probes);
        var probeItems = report.Items.Where(i => i.Area == "probe").ToList();
        Assert.Equal(["ctrl", "ctrls", "pop3", "pop3s", "smtp", "smtps"], probeItems.Select(i => i.Item).Order().ToArray());
        Assert.All(probeItems, i => Assert.Equal(DiagnosticStatus.Warn, i.Status));
    }
}
