using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Mailbox;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Spool;

/// <summary>Sent by a session after a spool file was committed (the client already has its 250).</summary>
public sealed record MessageSpooled(string Path);

/// <summary>Published when every local recipient of a spool file has its copy.</summary>
public sealed record MessageDelivered(string Id, IReadOnlyList<string> LocalRecipients, int RemoteRecipients);

/// <summary>
/// Moves spooled messages into local Maildirs. On start it picks up whatever a crash left in <c>spool/queue</c>.
/// The copying runs on the thread pool (a few files at a time); the actor only keeps the bookkeeping.
/// Recipients on other servers are kept in <c>spool/outbound</c> for the remote delivery agent.
/// </summary>
public sealed class DeliveryActor : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;
    private const int Parallel = 4;
    private readonly MailRootPaths _paths;
    private readonly string _hostName;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<string> _waiting = new();
    private readonly HashSet<string> _known = new();
    private int _running;

    private sealed record Done(string Path, MessageDelivered? Result, Exception? Error);
    private sealed record Retry(string Path);

    public static Props Props(MailRootPaths paths, string hostName) => Akka.Actor.Props.Create(() => new DeliveryActor(paths, hostName));

    public DeliveryActor(MailRootPaths paths, string hostName)
    {
        _paths = paths;
        _hostName = hostName;
        Receive<MessageSpooled>(m => Enqueue(m.Path));
        Receive<Retry>(r => Enqueue(r.Path));
        Receive<Done>(d =>
        {
            _running--;
            _known.Remove(d.Path);
            if (d.Error is { } e)
            {
                // A disk fault or a damaged file: keep the spool file and try again later.
                _log.Error("delivery of {0} failed: {1}; retrying in 30 s", d.Path, e.Message);
                Timers.StartSingleTimer(d.Path, new Retry(d.Path), TimeSpan.FromSeconds(30));
            }
            else if (d.Result is { } r)
            {
                _log.Info("delivered {0} to {1}{2}", r.Id, string.Join(", ", r.LocalRecipients),
                    r.RemoteRecipients > 0 ? $"; {r.RemoteRecipients} remote recipient(s) handed to the remote queue" : "");
                // Hand-off to remote delivery: the file is already in spool/outbound, where the outbound actor's
                // start-up scan finds it too, so a crash between the move and this message loses nothing.
                if (r.RemoteRecipients > 0)
                    Context.ActorSelection("../outbound").Tell(new Outbound.RemoteDeliveryQueued(Path.GetFileNameWithoutExtension(d.Path), Path.Combine(_paths.Spool, "outbound", Path.GetFileName(d.Path))));
                Context.System.EventStream.Publish(r);
            }
            StartMore();
        });
    }

    protected override void PreStart()
    {
        System.IO.Directory.CreateDirectory(_paths.SpoolQueue);
        // spool/tmp holds only messages still being received, never acknowledged ones: what a crash left there is
        // dropped. Delivery starts before any listener, so no session is writing there yet.
        if (System.IO.Directory.Exists(_paths.SpoolTemp))
            foreach (var stale in System.IO.Directory.EnumerateFiles(_paths.SpoolTemp, "*.tmp"))
            {
                try { File.Delete(stale); _log.Info("removed unacknowledged {0} left by an earlier run", Path.GetFileName(stale)); }
                catch (IOException e) { _log.Warning("cannot remove {0}: {1}", stale, e.Message); }
            }
        foreach (var file in System.IO.Directory.EnumerateFiles(_paths.SpoolQueue, "*.msg").Order())
            Enqueue(file);
    }

    private void Enqueue(string path)
    {
        if (!_known.Add(path)) return;
        _waiting.Enqueue(path);
        StartMore();
    }

    private void StartMore()
    {
        while (_running < Parallel && _waiting.Count > 0)
        {
            var path = _waiting.Dequeue();
            _running++;
            var host = _hostName;
            var paths = _paths;
            Task.Run(() => DeliverFile(paths, host, path)).PipeTo(Self,
                success: r => new Done(path, r, null), failure: e => new Done(path, null, e));
        }
    }

    /// <summary>Delivers every local recipient of one spool file, then retires the file. Safe to repeat after a crash.</summary>
    private static MessageDelivered? DeliverFile(MailRootPaths paths, string host, string path)
    {
        if (!File.Exists(path)) return null;
        var (env, offset) = SpoolEnvelope.Read(path);
        var delivered = new List<string>();
        for (var i = 0; i < env.Recipients.Count; i++)
        {
            var r = env.Recipients[i];
            if (!r.IsLocal) continue;
            var baseName = $"{env.ReceivedAtUnix}.{env.Id}_{i}.{host}";
            Maildir.Deliver(paths.Maildir(r.LocalDomain!, r.LocalUser!), baseName, path, offset);
            delivered.Add($"{r.LocalUser}@{r.LocalDomain}");
        }
        var remote = env.Recipients.Count(r => !r.IsLocal);
        if (remote > 0)
        {
            var outbound = Path.Combine(paths.Spool, "outbound");
            System.IO.Directory.CreateDirectory(outbound);
            Durable.Move(path, Path.Combine(outbound, Path.GetFileName(path)), overwrite: true);
        }
        else
        {
            File.Delete(path);
            Durable.SyncDirectory(Path.GetDirectoryName(path)!);
        }
        return new MessageDelivered(env.Id, delivered, remote);
    }
}
