using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Directory;
using JdMail.Actors.Settings;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Outbound;

/// <summary>
/// The remote delivery queue. Keeps one entry per message in <c>spool/outbound</c> with the time its next recipient
/// is due; runs at most <c>concurrency</c> attempts at once, each as a task that owns its message's files for its
/// duration (<see cref="OutboundJob"/>). All queue state is on disk (<see cref="OutboundStore"/>), so the entries
/// here are only an index rebuilt by a folder scan on start: a SIGKILL at any moment loses nothing.
/// Bounces are spooled like received mail and handed to the local delivery actor.
/// </summary>
public sealed class OutboundActor : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;
    private readonly OutboundSettings _settings;
    private readonly OutboundStore _store;
    private readonly OutboundJob _job;
    private readonly IActorRef _delivery;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Entry> _entries = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _running;

    private sealed class Entry(string id)
    {
        public string Id { get; } = id;
        public long NextDueUnixMs { get; set; }
        public bool Running { get; set; }
        public bool Force { get; set; }
        public OutboundState? State { get; set; }
        public string? MailFrom { get; set; }
    }

    private sealed record Wake;
    private sealed record JobDone(string Id, OutboundJob.Result? Result, Exception? Error);
    private sealed record Thawed(string Id, IActorRef ReplyTo, string? Error);

    public static Props Props(OutboundSettings settings, MailRootPaths paths, string hostName, TlsSettings tls,
        IActorRef directory, IActorRef delivery, IMxResolver? resolver = null) =>
        Akka.Actor.Props.Create(() => new OutboundActor(settings, paths, hostName, tls, directory, delivery, resolver));

    public OutboundActor(OutboundSettings settings, MailRootPaths paths, string hostName, TlsSettings tls,
        IActorRef directory, IActorRef delivery, IMxResolver? resolver)
    {
        _settings = settings;
        _store = new OutboundStore(paths.Spool);
        _delivery = delivery;
        _job = new OutboundJob(settings, paths, _store, hostName, tls, directory, resolver ?? new DnsMxResolver(settings.DnsServers));

        Receive<RemoteDeliveryQueued>(m =>
        {
            if (!OutboundStore.ValidId(m.Id)) { _log.Error("outbound: refusing odd queue id {0}", m.Id); return; }
            if (!_entries.ContainsKey(m.Id)) _entries[m.Id] = new Entry(m.Id) { NextDueUnixMs = Now() };
            Dispatch();
        });
        Receive<Wake>(_ => Dispatch());
        Receive<JobDone>(OnJobDone);
        Receive<GetOutboundQueue>(_ => Sender.Tell(new OutboundQueueResult(_entries.Values.OrderBy(e => e.Id).Select(e =>
            new QueuedMessage(e.Id, e.MailFrom, e.State?.Recipients ?? [], e.Running)).ToList())));
        Receive<FlushOutboundQueue>(_ =>
        {
            foreach (var e in _entries.Values) { e.Force = true; if (!e.Running) e.NextDueUnixMs = Now(); }
            Sender.Tell(new OutboundFlushed(_entries.Count));
            Dispatch();
        });

        // Frozen messages: file work off the actor thread; answers go straight to the asker.
        Receive<ListFrozen>(_ => Task.Run(() => ListFrozenMessages()).PipeTo(Sender));
        Receive<GetFrozenLog>(m => Task.Run(() => ValidFrozen(m.Id) is { } err
            ? new FrozenLogResult(m.Id, null, err) : new FrozenLogResult(m.Id, _store.ReadLog(_store.FrozenDir, m.Id) ?? "", null)).PipeTo(Sender));
        Receive<GetFrozenMessage>(m => Task.Run(() =>
        {
            if (ValidFrozen(m.Id) is { } err) return new FrozenMessageResult(m.Id, null, err);
            var path = OutboundStore.MessageFile(_store.FrozenDir, m.Id);
            var (_, offset) = SpoolEnvelope.Read(path);
            return new FrozenMessageResult(m.Id, File.ReadAllBytes(path).AsSpan((int)offset).ToArray(), null);
        }).PipeTo(Sender));
        Receive<DeleteFrozen>(m => Task.Run(() =>
        {
            if (ValidFrozen(m.Id) is { } err) return new FrozenCommandResult(m.Id, false, err);
            _store.Remove(_store.FrozenDir, m.Id);
            return new FrozenCommandResult(m.Id, true, null);
        }).PipeTo(Sender));
        Receive<SubmitFrozen>(m =>
        {
            var replyTo = Sender;
            Task.Run(() => Thaw(m.Id)).PipeTo(Self, success: err => new Thawed(m.Id, replyTo, err),
                failure: e => new Thawed(m.Id, replyTo, e.Message));
        });
        Receive<Thawed>(t =>
        {
            if (t.Error is null)
            {
                _entries[t.Id] = new Entry(t.Id) { NextDueUnixMs = Now(), State = _store.TryLoadState(_store.QueueDir, t.Id) };
                _log.Info("outbound: frozen message {0} resubmitted", t.Id);
                Dispatch();
            }
            t.ReplyTo.Tell(new FrozenCommandResult(t.Id, t.Error is null, t.Error));
        });
    }

    protected override void PreStart()
    {
        _store.EnsureFolders();
        _store.DropOrphans(_store.QueueDir);
        foreach (var id in _store.Ids(_store.QueueDir))
        {
            var state = _store.TryLoadState(_store.QueueDir, id);
            _entries[id] = new Entry(id) { State = state, NextDueUnixMs = state?.NextDueUnixMs ?? Now() };
        }
        if (_entries.Count > 0) _log.Info("outbound: {0} message(s) in the remote queue", _entries.Count);
        Self.Tell(new Wake());
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        base.PostStop();
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void Dispatch()
    {
        var now = Now();
        foreach (var e in _entries.Values.Where(e => !e.Running && e.NextDueUnixMs <= now).OrderBy(e => e.NextDueUnixMs).ToList())
        {
            if (_running >= _settings.Concurrency) break;
            e.Running = true;
            var force = e.Force;
            e.Force = false;
            _running++;
            var id = e.Id;
            var job = _job;
            var token = _stopping.Token;
            Task.Run(() => job.RunAsync(id, force, token)).PipeTo(Self,
                success: r => new JobDone(id, r, null), failure: ex => new JobDone(id, null, ex));
        }
        var next = _entries.Values.Where(e => !e.Running).Select(e => (long?)e.NextDueUnixMs).Min();
        if (next is { } due && _running < _settings.Concurrency)
            Timers.StartSingleTimer("wake", new Wake(), TimeSpan.FromMilliseconds(Math.Clamp(due - now, 10, int.MaxValue)));
    }

    private void OnJobDone(JobDone d)
    {
        _running--;
        if (!_entries.TryGetValue(d.Id, out var e)) { Dispatch(); return; }
        e.Running = false;
        if (d.Error is { } ex)
        {
            // A disk fault or a damaged file: keep everything and look again later.
            _log.Error(ex, "outbound: attempt on {0} failed: {1}; retrying in 30 s", d.Id, ex.Message);
            e.NextDueUnixMs = Now() + 30_000;
        }
        else if (d.Result is { } r)
        {
            foreach (var bounce in r.Bounces) _delivery.Tell(new MessageSpooled(bounce));
            e.MailFrom = r.MailFrom ?? e.MailFrom;
            if (r.State is { } st)
                _log.Info("outbound {0}: {1} delivered, {2} failed, {3} pending{4}", d.Id,
                    st.Recipients.Count(x => x.Status == RecipientStatus.Delivered), st.Recipients.Count(x => x.Status == RecipientStatus.Failed),
                    st.Recipients.Count(x => x.Status == RecipientStatus.Pending), r.Done ? (st.AnyFailed && _settings.FreezeFailed ? "; frozen" : "; done") : "");
            if (r.Done) _entries.Remove(d.Id);
            else
            {
                e.State = r.State;
                e.NextDueUnixMs = r.State?.NextDueUnixMs ?? Now() + 30_000;
            }
        }
        Dispatch();
    }

    private string? ValidFrozen(string id) =>
        !OutboundStore.ValidId(id) ? "invalid message id"
        : !File.Exists(OutboundStore.MessageFile(_store.FrozenDir, id)) ? "no such frozen message" : null;

    private string? Thaw(string id)
    {
        if (ValidFrozen(id) is { } err) return err;
        var now = Now();
        var state = _store.TryLoadState(_store.FrozenDir, id);
        if (state is not null) _store.Save(_store.FrozenDir, state.Resubmitted(now));
        _store.AppendLog(_store.FrozenDir, id, "resubmitted from the frozen queue");
        _store.Move(_store.FrozenDir, _store.QueueDir, id);
        return null;
    }

    private FrozenListResult ListFrozenMessages()
    {
        var list = new List<FrozenMessage>();
        foreach (var id in _store.Ids(_store.FrozenDir))
        {
            var path = OutboundStore.MessageFile(_store.FrozenDir, id);
            try
            {
                var (env, offset) = SpoolEnvelope.Read(path);
                var state = _store.TryLoadState(_store.FrozenDir, id);
                var failed = state?.Recipients.Where(r => r.Status == RecipientStatus.Failed).ToList() ?? [];
                list.Add(new FrozenMessage(id, env.MailFrom,
                    failed.Count > 0 ? failed.Select(r => r.Address).ToList() : env.Recipients.Where(r => !r.IsLocal).Select(r => r.Address).ToList(),
                    DateTimeOffset.FromUnixTimeSeconds(env.ReceivedAtUnix), new FileInfo(path).Length - offset,
                    state?.MaxTries ?? 0, failed.Select(r => r.LastError).LastOrDefault(x => x is not null)));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                _log.Warning("outbound: frozen file {0} unreadable: {1}", id, ex.Message);
            }
        }
        return new FrozenListResult(list);
    }
}

/// <summary>
/// One attempt on one message, run as a task: read the spool file and its state, deliver every due recipient
/// (grouped by domain, each group through its route's hosts in order), record outcomes in the log, spool a DSN for
/// recipients that failed for good, save the state, then retire or freeze the message when nothing is pending.
/// Order matters for crash safety: bounce spooled, then state saved, then files removed.
/// </summary>
public sealed class OutboundJob(OutboundSettings settings, MailRootPaths paths, OutboundStore store, string hostName,
    TlsSettings tls, IActorRef directory, IMxResolver resolver)
{
    public sealed record Result(OutboundState? State, bool Done, IReadOnlyList<string> Bounces, string? MailFrom);

    private ClientOptions Options => new(settings.Helo ?? hostName, settings.ConnectTimeout, settings.CommandTimeout,
        settings.DataTimeout, tls.Protocols, paths.CertsPem);

    public async Task<Result> RunAsync(string id, bool force, CancellationToken ct)
    {
        var dir = store.QueueDir;
        var path = OutboundStore.MessageFile(dir, id);
        if (!File.Exists(path)) return new Result(null, true, [], null);
        var (env, offset) = SpoolEnvelope.Read(path);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var state = store.Load(dir, id, env, now);
        var due = (force ? state.Recipients.Where(r => r.Status == RecipientStatus.Pending) : state.DueAt(now)).ToList();
        var bounces = new List<string>();
        if (due.Count > 0)
        {
            var outcomes = new List<RecipientOutcome>();
            foreach (var group in due.GroupBy(r => Domain(r.Address)))
                outcomes.AddRange(await DeliverGroupAsync(id, dir, env, path, offset, group.Key, group.ToList(), ct).ConfigureAwait(false));
            foreach (var o in outcomes)
                store.AppendLog(dir, id, o.Kind.ToString().ToLowerInvariant(), $"<{o.Address}>", o.RemoteMta ?? "-", o.Status, o.Detail);
            var (next, failed) = state.Apply(outcomes, settings.Retry, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (failed.Count > 0)
            {
                if (env.MailFrom.Length == 0) store.AppendLog(dir, id, "no bounce: the message is itself a bounce (null sender)");
                else if (await SpoolBounceAsync(env, path, offset, failed).ConfigureAwait(false) is { } bounce)
                {
                    bounces.Add(bounce);
                    store.AppendLog(dir, id, $"bounce {Path.GetFileNameWithoutExtension(bounce)} sent to <{env.MailFrom}> for {failed.Count} recipient(s)");
                }
            }
            store.Save(dir, next);
            state = next;
        }
        if (!state.Finished) return new Result(state, false, bounces, env.MailFrom);
        if (state.AnyFailed && settings.FreezeFailed)
        {
            store.AppendLog(dir, id, "frozen: no recipient pending, at least one failed");
            store.Move(dir, store.FrozenDir, id);
        }
        else store.Remove(dir, id);
        return new Result(state, true, bounces, env.MailFrom);
    }

    private static string Domain(string address) => address[(address.LastIndexOf('@') + 1)..].ToLowerInvariant();

    private async Task<IReadOnlyList<RecipientOutcome>> DeliverGroupAsync(string id, string dir, SpoolEnvelope env, string path,
        long offset, string domain, IReadOnlyList<RecipientState> recipients, CancellationToken ct)
    {
        IReadOnlyList<RecipientOutcome> All(OutcomeKind kind, string status, string detail) =>
            recipients.Select(r => new RecipientOutcome(r.Index, r.Address, kind, status, detail, null)).ToList();

        List<HostTarget> targets;
        if (settings.RouteFor(domain) is { } route)
            targets = route.Hosts.Select(h => new HostTarget(h, route.ImplicitTls, route.TlsName ?? h.Host, route.Tls)).ToList();
        else if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            // RFC 5321 §4.1.3 address literal: deliver to that address.
            var literal = domain[1..^1];
            if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase)) literal = literal[5..];
            targets = [new HostTarget(new GatewayHost(literal, 25), false, literal, settings.Tls)];
        }
        else
        {
            var mx = await resolver.ResolveAsync(domain, ct).ConfigureAwait(false);
            if (mx.Error is { } error)
                return All(mx.Permanent ? OutcomeKind.Permanent : OutcomeKind.Temporary, mx.Permanent ? "5.1.2" : "4.4.3", error);
            targets = mx.Hosts.Select(h => new HostTarget(new GatewayHost(h, 25), false, h, settings.Tls)).ToList();
        }

        var message = new OutboundMessage(id, env.MailFrom, recipients.Select(r => (r.Index, r.Address)).ToList(), path, offset);
        SmtpDelivery.HostAttempt? last = null;
        foreach (var target in targets)
        {
            var attempt = await SmtpDelivery.DeliverAsync(target, message, Options, ct).ConfigureAwait(false);
            foreach (var note in attempt.Transcript) store.AppendLog(dir, id, "note", target.Host.ToString(), note);
            if (attempt.Outcomes.Any(o => o.Kind == OutcomeKind.Delivered))
                store.AppendLog(dir, id, "session", target.Host.ToString(), attempt.Tls ?? "no TLS");
            if (!attempt.TryNextHost) return attempt.Outcomes;
            last = attempt;
        }
        return last?.Outcomes ?? All(OutcomeKind.Temporary, "4.4.4", $"no host to try for {domain}");
    }

    /// <summary>Spools the DSN for <paramref name="failed"/> to the original sender; null when it has nowhere to go.</summary>
    private async Task<string?> SpoolBounceAsync(SpoolEnvelope env, string path, long offset, IReadOnlyList<RecipientOutcome> failed)
    {
        var resolved = await directory.Ask<AddressResolved>(new ResolveAddress(env.MailFrom), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (resolved.Kind == AddressKind.UnknownLocalUser) return null;
        var recipient = resolved.Kind == AddressKind.LocalAccount
            ? new SpoolRecipient(env.MailFrom, resolved.Domain, resolved.User)
            : new SpoolRecipient(env.MailFrom, null, null);
        byte[] headers;
        await using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            fs.Position = offset;
            var buffer = new byte[64 * 1024];
            var n = await fs.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false).ConfigureAwait(false);
            headers = Dsn.HeaderSection(buffer.AsSpan(0, n));
        }
        var now = DateTimeOffset.UtcNow;
        var dsn = Dsn.Build(hostName, env.Id, env.MailFrom, DateTimeOffset.FromUnixTimeSeconds(env.ReceivedAtUnix), failed, headers, now);
        var dsnId = $"{now:yyyyMMddHHmmss}{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}";
        var envelope = new SpoolEnvelope(dsnId, now.ToUnixTimeSeconds(), "127.0.0.1", hostName, null, null, "", [recipient]);
        var received = Encoding.ASCII.GetBytes(
            $"Received: by {hostName} (JdMail) id {dsnId};\r\n\t{now.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)}\r\n");
        using var writer = new SpoolWriter(paths.SpoolTemp, paths.SpoolQueue, envelope, received);
        writer.Write(dsn);
        return writer.Commit();
    }
}
