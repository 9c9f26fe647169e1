using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace JdMail.Actors.Directory;

/// <summary>
/// Domains, mail accounts, aliases and CTRL accounts, event-sourced (journal id <c>directory</c>). Thin: every decision
/// is in <see cref="DirectoryState"/>; this actor persists, applies and answers. Runs under a backoff supervisor.
/// </summary>
public sealed class DirectoryActor : ReceivePersistentActor
{
    private const int SnapshotEvery = 500;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DirectoryState _state = DirectoryState.Empty;

    public override string PersistenceId => "directory";

    private readonly Settings.MailRootPaths? _paths;

    /// <param name="paths">The MailRoot whose mailboxes follow account changes; null in tests that have none.</param>
    public static Props Props(Settings.MailRootPaths? paths = null) => Akka.Actor.Props.Create(() => new DirectoryActor(paths));

    public DirectoryActor(Settings.MailRootPaths? paths = null)
    {
        _paths = paths;
        Recover<IDirectoryEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is DirectorySnapshot s) _state = s.ToState(); });

        Command<DirectoryCommand>(cmd =>
        {
            var result = _state.Process(cmd);
            if (result.Rejection is { } r) { Sender.Tell(r); return; }
            var events = result.Events!;
            if (events.Count == 0) { Sender.Tell(new DirectoryDone()); return; }
            var sender = Sender;
            var remaining = events.Count;
            PersistAll(events, e =>
            {
                _state = _state.Apply(e);
                RetireMailbox(e);
                if (--remaining == 0)
                {
                    sender.Tell(new DirectoryDone());
                    if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(DirectorySnapshot.From(_state));
                }
            });
        });
        Command<ResolveAddress>(q =>
        {
            var at = q.Address.LastIndexOf('@');
            var domain = at > 0 ? q.Address[(at + 1)..].ToLowerInvariant() : "";
            if (!_state.IsLocalDomain(domain)) { Sender.Tell(new AddressResolved(q.Address, AddressKind.NotLocal, null, null)); return; }
            var account = _state.Resolve(q.Address);
            Sender.Tell(account is null
                ? new AddressResolved(q.Address, AddressKind.UnknownLocalUser, domain, null)
                : new AddressResolved(q.Address, AddressKind.LocalAccount, account.Domain, account.User));
        });
        Command<GetCredential>(q =>
        {
            var at = q.Login.LastIndexOf('@');
            var account = at > 0 ? _state.FindAccount(q.Login[..at], q.Login[(at + 1)..]) : null;
            Sender.Tell(new CredentialResult(q.Login, account?.Domain, account?.User, account?.PasswordHash));
        });
        Command<GetCtrlCredential>(q =>
            Sender.Tell(new CtrlCredentialResult(q.User, _state.CtrlAccounts.TryGetValue(q.User.ToLowerInvariant(), out var h) ? h : null)));
        Command<GetDirectorySnapshot>(_ => Sender.Tell(_state));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("directory snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    /// <summary>
    /// A deleted account's or domain's mail must never be readable by whoever gets that name next: the folder is
    /// moved out of <c>domains/</c> into <c>deleted/</c> (kept for the administrator, not deleted). A new account
    /// finding a leftover folder (a crash between the event and the move) moves it aside too.
    /// </summary>
    private void RetireMailbox(IDirectoryEvent e)
    {
        if (_paths is null) return;
        var folder = e switch
        {
            UserDeleted(var d, var u) => Path.Combine(_paths.Domains, d, u),
            UserAdded(var d, var u, _, _) => Path.Combine(_paths.Domains, d, u),
            DomainDeleted(var d) => Path.Combine(_paths.Domains, d),
            _ => null,
        };
        if (folder is null || !System.IO.Directory.Exists(folder)) return;
        var relative = Path.GetRelativePath(_paths.Domains, folder);
        var target = Path.Combine(_paths.Root, "deleted", $"{relative}.{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            System.IO.Directory.Move(folder, target);
            Spool.Durable.SyncDirectory(Path.GetDirectoryName(folder)!);
            _log.Info("mailbox folder {0} moved to {1}", folder, target);
        }
        catch (IOException ex)
        {
            _log.Error("could not move {0} aside after {1}: {2}", folder, e.GetType().Name, ex.Message);
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "directory event {0} rejected by the journal", @event.GetType().Name);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}

/// <summary>Snapshot schema: primitives only, so it survives code changes like the events do.</summary>
public sealed record DirectorySnapshot(
    string[] Domains,
    string[][] Accounts,          // domain, user, hash, type
    string[][] Variables,         // domain, user, name, value
    string[][] Aliases,           // domain, alias, target
    string[][] CtrlAccounts,      // user, hash
    bool BootstrapDone)
{
    public static DirectorySnapshot From(DirectoryState s) => new(
        s.Domains.ToArray(),
        s.Accounts.Values.Select(a => new[] { a.Domain, a.User, a.PasswordHash, a.UserType }).ToArray(),
        s.Accounts.Values.SelectMany(a => a.Variables.Select(v => new[] { a.Domain, a.User, v.Key, v.Value })).ToArray(),
        s.Aliases.Select(a => { var at = a.Key.LastIndexOf('@'); return new[] { a.Key[(at + 1)..], a.Key[..at], a.Value }; }).ToArray(),
        s.CtrlAccounts.Select(c => new[] { c.Key, c.Value }).ToArray(),
        s.BootstrapDone);

    public DirectoryState ToState()
    {
        var s = DirectoryState.Empty;
        foreach (var d in Domains) s = s.Apply(new DomainAdded(d));
        foreach (var a in Accounts) s = s.Apply(new UserAdded(a[0], a[1], a[2], a[3]));
        foreach (var v in Variables) s = s.Apply(new UserVariableSet(v[0], v[1], v[2], v[3]));
        foreach (var a in Aliases) s = s.Apply(new AliasAdded(a[0], a[1], a[2]));
        foreach (var c in CtrlAccounts) s = s.Apply(new CtrlAccountAdded(c[0], c[1]));
        return BootstrapDone ? s.Apply(new BootstrapApplied(0)) : s;
    }
}
