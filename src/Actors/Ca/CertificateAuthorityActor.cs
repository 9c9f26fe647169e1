using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using JdMail.Actors.Settings;
using JdMail.Pki;

namespace JdMail.Actors.Ca;

/// <summary>
/// The embedded certificate authority, event-sourced (persistence id <c>ca</c>). Thin: decisions are in
/// <see cref="CaState"/>, crypto and files in <see cref="CaWork"/>/<see cref="CaStore"/>; this actor sequences them.
/// <para>
/// One mutating command at a time: the command is checked (pure), its crypto and file writes run on a thread-pool task
/// (RSA key generation can take seconds and must not stall queries or the timer), the result is piped back, the events
/// are journaled, and only then the caller gets its reply. Further commands wait in the stash meanwhile; queries are
/// answered at once from the last journaled state. Files are written and fsync'd before the events are persisted; when
/// the journal fails or rejects the write, the files are undone and the caller gets <see cref="CaRejected"/>.
/// </para>
/// <para>
/// On recovery with an empty journal the first-start CA and server certificate are adopted. A CRL is kept current for
/// every trusted CA (reissued <see cref="CaSettings.CrlReissueBefore"/> before its nextUpdate). Missing files are logged
/// and reported by <see cref="GetCaStatus"/>, never fatal. Runs under a backoff supervisor.
/// </para>
/// </summary>
public sealed class CertificateAuthorityActor : ReceivePersistentActor, IWithTimers
{
    private readonly CaStore _store;
    private readonly CaSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private CaState _state = CaState.Empty;
    private InFlight? _inFlight;
    private long _eventsSinceSnapshot;

    private sealed record Finished(CaPrepared Prepared);
    private sealed record Failed(Exception Cause);
    private sealed record CrlDue;
    private sealed record InFlight(CaPlan Plan, IActorRef ReplyTo, CaPrepared? Prepared);

    private const string CrlTimer = "crl";

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "ca";

    public static Props Props(MailRootPaths paths, CaSettings settings) =>
        Akka.Actor.Props.Create(() => new CertificateAuthorityActor(paths, settings));

    public CertificateAuthorityActor(MailRootPaths paths, CaSettings settings)
    {
        _settings = settings;
        _store = new CaStore(paths, settings);

        Recover<SnapshotOffer>(o => { if (o.Snapshot is CaSnapshot s) _state = s.ToState(); });
        Recover<ICaEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Ready();
    }

    private void Ready()
    {
        Queries();
        Command<ICaCommand>(c => Start(c, c is AdoptFirstStart ? ActorRefs.Nobody : Sender));
        Command<CrlDue>(_ =>
        {
            if (_state.DueCrl(Now(), _settings.CrlReissueBefore) is { } caId) Start(new PublishCrl(caId), ActorRefs.Nobody);
            else ScheduleCrl();
        });
        Housekeeping();
    }

    private void Busy()
    {
        Queries();
        Command<Finished>(OnFinished);
        Command<Failed>(OnFailed);
        Command<ICaCommand>(_ => Stash.Stash());
        Command<CrlDue>(_ => { /* rescheduled when the current operation ends */ });
        Housekeeping();
    }

    private void Start(ICaCommand command, IActorRef replyTo)
    {
        var (plan, rejection) = _state.Process(command, _settings);
        if (rejection is not null)
        {
            replyTo.Tell(rejection);
            return;
        }
        _inFlight = new InFlight(plan!, replyTo, null);
        var (state, store, now) = (_state, _store, DateTime.UtcNow);
        Task.Run(() => CaWork.Run(plan!, state, store, now))
            .PipeTo(Self, success: p => new Finished(p), failure: e => new Failed(e));
        Become(Busy);
    }

    private void OnFinished(Finished f)
    {
        var prepared = f.Prepared;
        if (_state.Validate(prepared.Events) is { } rejection)
        {
            prepared.Undo();
            Reply(rejection);
            BackToReady();
            return;
        }
        _inFlight = _inFlight! with { Prepared = prepared };
        var remaining = prepared.Events.Count;
        PersistAll(prepared.Events, e =>
        {
            _state = _state.Apply(e);
            _eventsSinceSnapshot++;
            if (--remaining == 0) Committed();
        });
    }

    private void Committed()
    {
        var (prepared, replyTo) = (_inFlight!.Prepared!, _inFlight.ReplyTo);
        _inFlight = null;
        try { prepared.Commit(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _log.Warning("CA: cleanup after commit failed: {0}", e.Message); }
        replyTo.Tell(prepared.Reply(_state));
        foreach (var notice in prepared.Notices) Context.System.EventStream.Publish(notice);
        if (_eventsSinceSnapshot >= _settings.SnapshotEvery)
        {
            SaveSnapshot(CaSnapshot.From(_state));
            _eventsSinceSnapshot = 0;
        }
        BackToReady();
    }

    private void OnFailed(Failed f)
    {
        var cause = f.Cause is AggregateException { InnerException: { } inner } ? inner : f.Cause;
        var timerCrl = _inFlight is { Plan.Command: PublishCrl, ReplyTo: var to } && to.IsNobody();
        if (cause is CaWorkException w)
        {
            _log.Warning("CA: {0} refused: {1}", _inFlight?.Plan.Command.GetType().Name, w.Message);
            Reply(new CaRejected(w.Code, w.Message));
        }
        else
        {
            _log.Error(cause, "CA: {0} failed", _inFlight?.Plan.Command.GetType().Name);
            Reply(new CaRejected(CaCodes.Storage, "The operation failed; nothing was changed. See the server log."));
        }
        if (timerCrl)
        {
            // The CA key could not be used (wrong passphrase, missing file): try again later, not in a tight loop.
            BackToReady(scheduleCrl: false);
            Timers.StartSingleTimer(CrlTimer, new CrlDue(), TimeSpan.FromMinutes(1));
        }
        else BackToReady();
    }

    private void Reply(object message)
    {
        _inFlight?.ReplyTo.Tell(message);
        _inFlight = null;
    }

    private void BackToReady(bool scheduleCrl = true)
    {
        Become(Ready);
        Stash.UnstashAll();
        if (scheduleCrl) ScheduleCrl();
    }

    /// <summary>The journal failed the write: undo the files, tell the caller; the actor then stops (Akka's rule for
    /// persist failures) and the backoff supervisor restarts it from the journal.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        AbortInFlight(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>The journal rejected the events (e.g. serialization): undo the files, tell the caller, carry on.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        if (AbortInFlight(cause)) BackToReady();
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private bool AbortInFlight(Exception cause)
    {
        if (_inFlight is not { Prepared: { } prepared } inFlight) return false;
        _log.Error(cause, "CA: journal write of {0} failed; its files are removed", inFlight.Plan.Command.GetType().Name);
        prepared.Undo();
        Reply(new CaRejected(CaCodes.Journal, "The change could not be journaled; nothing was changed."));
        return true;
    }

    private void OnRecovered()
    {
        try { _store.CleanLeftovers(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _log.Warning("CA: {0}", e.Message); }
        foreach (var problem in _store.Problems(_state)) _log.Warning("CA: {0}", problem);
        if (_state.IsEmpty)
        {
            if (File.Exists(_store.FileOf(CaState.FirstCaId, CaStore.CertFile))) Self.Tell(new AdoptFirstStart());
        }
        else
        {
            // Bring certs.pem and certs/ in line with the journal (a crash may have come between files and journal).
            try { _store.WriteTrust(_state); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException) { _log.Warning("CA: trust files not rewritten: {0}", e.Message); }
        }
        ScheduleCrl();
    }

    private void ScheduleCrl()
    {
        var seconds = _state.SecondsUntilCrlDue(Now(), _settings.CrlReissueBefore);
        if (seconds is null)
        {
            Timers.Cancel(CrlTimer);
            return;
        }
        Timers.StartSingleTimer(CrlTimer, new CrlDue(), TimeSpan.FromSeconds(Math.Min(seconds.Value, 86400)));
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private void Queries()
    {
        Command<ListCertificates>(_ => Sender.Tell(new CertificateListResult(_state.Ordered(), _state.CurrentCaId, _state.InstalledId)));
        Command<ShowCertificate>(q => Sender.Tell(Show(q.Id)));
        Command<GetArtefact>(q => Sender.Tell(Artefact(q)));
        Command<GetFormDefaults>(q => Sender.Tell(_state.Find(q.From) is { } item
            ? new FormDefaultsResult(item.ToForm() with { From = item.Id })
            : new CaRejected(CaCodes.NotFound, $"No item {q.From}.")));
        Command<GetCaStatus>(_ => Sender.Tell(Status()));
        Command<GetCaState>(_ => Sender.Tell(_state));
    }

    private void Housekeeping()
    {
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("CA: snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    private CaStatusResult Status()
    {
        var problems = _store.Problems(_state).ToList();
        if (_state.CurrentCaId is { } ca)
        {
            try { _store.LoadCa(ca); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException)
            {
                problems.Add($"{ca}: the CA key cannot be used ({e.Message}); check jdmail.ca.key-passphrase and {_store.Dir(ca)}.");
            }
        }
        return new CaStatusResult(_state.CurrentCaId, _state.InstalledId, _state.TrustedCaIds, _state.LastCrlNumber,
            _state.Crls.Values.ToList(), _state.Items.Count, problems, _state.ExpiryWarnings(Now(), TimeSpan.FromDays(30)));
    }

    private object Show(string id)
    {
        if (_state.Find(id) is not { } item) return new CaRejected(CaCodes.NotFound, $"No item {id}.");
        var sb = new StringBuilder();
        sb.Append($"id: {item.Id}\nkind: {item.Kind}\nstatus: {item.Status}\nsubject: {item.Subject}\n");
        if (item.Issuer.Length > 0) sb.Append($"issuer: {item.Issuer}{(item.IssuerId.Length > 0 ? $" ({item.IssuerId})" : "")}\n");
        if (item.Serial.Length > 0) sb.Append($"serial: {item.Serial}\n");
        if (item.NotAfter > 0)
            sb.Append($"valid: {DateTimeOffset.FromUnixTimeSeconds(item.NotBefore):u} to {DateTimeOffset.FromUnixTimeSeconds(item.NotAfter):u}\n");
        if (item.Names.Length > 0) sb.Append($"names: {item.Names}\n");
        if (item.Sha256.Length > 0) sb.Append($"sha256: {item.Sha256}\n");
        if (item.Status == CaStatuses.Revoked)
            sb.Append($"revoked: {DateTimeOffset.FromUnixTimeSeconds(item.RevokedAt):u} reason {(RevocationReason)item.RevocationReason}\n");
        if (item.Note.Length > 0) sb.Append($"note: {item.Note}\n");
        if (_store.TryReadCert(id) is { } cert) sb.Append('\n').Append(cert);
        else if (item.Kind == CaKinds.Public && File.Exists(_store.FileOf(id, CaStore.CsrFile)))
            sb.Append('\n').Append(File.ReadAllText(_store.FileOf(id, CaStore.CsrFile)));
        return new CertificateDetailsResult(item, sb.ToString());
    }

    private object Artefact(GetArtefact q)
    {
        if (_state.Find(q.Id) is not { } item) return new CaRejected(CaCodes.NotFound, $"No item {q.Id}.");
        const string pem = "application/x-pem-file";
        (string? file, string? name, string? type, string? refusal) = (q.Kind, item.Kind) switch
        {
            (ArtefactKind.Key, CaKinds.Ca) => ((string?)null, (string?)null, (string?)null, (string?)"The CA private key never leaves the server."),
            (ArtefactKind.Key, CaKinds.Client) => (null, null, null, "A client key exists only inside its .p12 file."),
            (ArtefactKind.Key, _) => (CaStore.KeyFile, $"{item.Id}.key", pem, null),
            (ArtefactKind.Csr, CaKinds.Public) => (CaStore.CsrFile, $"{item.Id}.csr", "application/pkcs10", null),
            (ArtefactKind.Csr, _) => (null, null, null, $"{item.Id} is not a public-CA request and has no CSR."),
            (ArtefactKind.P12, CaKinds.Client) => (CaStore.P12File, $"{item.Id}.p12", "application/x-pkcs12", null),
            (ArtefactKind.P12, _) => (null, null, null, $"{item.Id} is not a client certificate; only those come as .p12."),
            (ArtefactKind.Crl, CaKinds.Ca) => (CaStore.CrlFile, $"{item.Id}.crl", pem, null),
            (ArtefactKind.Crl, _) => (null, null, null, $"{item.Id} is not a CA and has no CRL."),
            (ArtefactKind.Chain, CaKinds.Ca) => (CaStore.CertFile, $"{item.Id}-chain.pem", pem, null),
            (ArtefactKind.Chain, _) => (CaStore.ChainFile, $"{item.Id}-chain.pem", pem, null),
            (ArtefactKind.Der, _) => (CaStore.CertFile, $"{item.Id}.cer", "application/pkix-cert", null),
            _ => (CaStore.CertFile, $"{item.Id}.pem", pem, null),
        };
        if (refusal is not null) return new CaRejected(CaCodes.Refused, refusal);
        if (item.Status == CaStatuses.Requested && file is CaStore.CertFile or CaStore.ChainFile)
            return new CaRejected(CaCodes.NotFound, $"{item.Id} has no certificate yet; import the public CA's answer first.");
        var path = _store.FileOf(item.Id, file!);
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (q.Kind == ArtefactKind.Der) bytes = PemCodec.ToDer(PemCodec.ReadCertificateAny(bytes));
            return new ArtefactResult(item.Id, q.Kind, name!, type!, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException)
        {
            _log.Warning("CA: {0} of {1} unreadable: {2}", q.Kind, item.Id, e.Message);
            return new CaRejected(CaCodes.Storage, $"The {q.Kind.ToString().ToLowerInvariant()} file of {item.Id} is missing or damaged.");
        }
    }
}
