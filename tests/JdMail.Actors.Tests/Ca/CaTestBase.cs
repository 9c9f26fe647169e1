using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.TestKit;
using JdMail.Actors.Ca;
using JdMail.Actors.Settings;
using Xunit.Abstractions;

namespace JdMail.Actors.Tests.Ca;

/// <summary>
/// An actor system with the persistence TestJournal (in memory, shared by every actor of this system, so an actor
/// stopped and created again recovers from the same journal) and a temporary MailRoot.
/// </summary>
public abstract class CaTestBase : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Cfg = ConfigurationFactory.ParseString("akka.loglevel = WARNING")
        .WithFallback(ConfigurationFactory.FromResource<TestJournal>("Akka.Persistence.TestKit.config.conf"));

    protected readonly string Root = Path.Combine(Path.GetTempPath(), "jdmail-ca-" + Guid.NewGuid().ToString("N")[..12]);
    protected MailRootPaths Paths => new(Root);
    protected static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);
    private int _generation;

    protected CaTestBase(ITestOutputHelper output) : base(Cfg, null, output)
    {
        System.IO.Directory.CreateDirectory(Root);
    }

    protected IActorRef StartCa(CaSettings? settings = null) =>
        Sys.ActorOf(CertificateAuthorityActor.Props(Paths, settings ?? CaSettings.Default), $"ca-{++_generation}");

    /// <summary>Stops the actor and waits until it is gone, so the next one recovers from the journal alone.</summary>
    protected async Task StopAsync(IActorRef ca)
    {
        var probe = CreateTestProbe();
        probe.Watch(ca);
        Sys.Stop(ca);
        await probe.ExpectTerminatedAsync(ca, Slow);
    }

    protected async Task<T> AskOk<T>(IActorRef ca, object message)
    {
        var reply = await ca.Ask<object>(message, Slow);
        Assert.True(reply is T, $"expected {typeof(T).Name} but got {reply}");
        return (T)reply;
    }

    protected async Task<CaRejected> AskRejected(IActorRef ca, object message)
    {
        var reply = await ca.Ask<object>(message, Slow);
        Assert.True(reply is CaRejected, $"expected CaRejected but got {reply}");
        return (CaRejected)reply;
    }

    protected Task<CaCreatedResult> CreateCaAsync(IActorRef ca, string cn = "Test Root CA", bool replace = false) =>
        AskOk<CaCreatedResult>(ca, new CreateCa(new CertificateForm(cn, Country: "CN", Organization: "JdMail Test"), replace));

    /// <summary>Creates the CA and waits for its first CRL (signed right after creation by the CRL timer), so a
    /// test that changes the journal's behaviour afterwards is not raced by that write.</summary>
    protected async Task<CaCreatedResult> CreateCaAndFirstCrlAsync(IActorRef ca)
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(CrlPublishedNotice));
        var created = await CreateCaAsync(ca);
        await probe.ExpectMsgAsync<CrlPublishedNotice>(Slow);
        Sys.EventStream.Unsubscribe(probe);
        return created;
    }

    protected Task<CertificateIssuedResult> IssueServerAsync(IActorRef ca, string cn = "mail.example.test", params string[] names) =>
        AskOk<CertificateIssuedResult>(ca, new IssueServerCertificate(new CertificateForm(cn, Organization: "JdMail Test", Names: names)));

    protected static UnixFileMode Mode(string path) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path);

    protected string FileOf(string id, string name) => Path.Combine(Root, "sslconf", id, name);

    protected string Temp(string name, string content)
    {
        var path = Path.Combine(Root, "t-" + name);
        File.WriteAllText(path, content);
        return path;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
