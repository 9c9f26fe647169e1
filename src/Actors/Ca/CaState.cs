using System.Collections.Immutable;
using JdMail.Pki;

namespace JdMail.Actors.Ca;

/// <summary>Item kinds, as the list shows them.</summary>
public static class CaKinds
{
    public const string Ca = "ca";
    public const string Server = "server";
    public const string SelfSigned = "selfsigned";
    public const string Client = "client";
    /// <summary>Public-CA mode: key and CSR made here, certificate imported from the public CA.</summary>
    public const string Public = "public";
}

/// <summary>Item status.</summary>
public static class CaStatuses
{
    public const string Requested = "requested";
    public const string Valid = "valid";
    public const string Revoked = "revoked";
}

/// <summary>
/// One item of the CA (a CA, a certificate, or a public-CA request) as the journal describes it. Primitives only, so it
/// doubles as the snapshot schema. Times are Unix seconds UTC (0 = not yet), serial/fingerprint lowercase hex.
/// </summary>
public sealed record CaItem(string Id, string Kind, string Status, string Country, string State, string Locality,
    string Organization, string Unit, string CommonName, string Email, string Names, string KeySpec, int Days,
    string Note, string Subject, string Issuer, string IssuerId, string Serial, long NotBefore, long NotAfter,
    string Sha256, string P12Profile, long Created, long RevokedAt, int RevocationReason)
{
    /// <summary>The SANs as a list.</summary>
    public IReadOnlyList<string> NameList() => Names.Length == 0 ? [] : Names.Split(',');

    /// <summary>The form fields of this item, for "reuse earlier generation info".</summary>
    public CertificateForm ToForm() => new(Blank(CommonName), Blank(Country), Blank(State), Blank(Locality),
        Blank(Organization), Blank(Unit), Blank(Email), NameList(), Blank(KeySpec), Days == 0 ? null : Days, Blank(Note));

    private static string? Blank(string s) => s.Length == 0 ? null : s;
}

/// <summary>The last CRL a CA signed.</summary>
public sealed record CrlRecord(string CaId, long Number, long ThisUpdate, long NextUpdate, int RevokedCount);

/// <summary>One revocation; kept even when the item is deleted, so the serial stays on the CRL.</summary>
public sealed record RevocationRecord(string CaId, string Serial, string ItemId, long At, int Reason);

/// <summary>What a command will do once its crypto and files are done: the item id chosen for it, the form with
/// defaults and earlier fields filled in, and the item it acts on.</summary>
public sealed record CaPlan(ICaCommand Command, string Id, CertificateForm Form, CaItem? Target, KeySpec? Key,
    int Days, RevocationReason Reason, Pkcs12Profile P12Profile);

/// <summary>Internal command: take the first-start CA and server certificate into an empty journal.</summary>
public sealed record AdoptFirstStart : ICaCommand;

/// <summary>
/// The CA's decisions, pure. <see cref="Process"/> checks a command against the state and returns a plan or a
/// rejection; the actor then does the crypto and writes the files, <see cref="Validate"/> re-checks the resulting
/// events (serials never reused, ids unused), and <see cref="Apply"/> folds each journaled event into a new state.
/// </summary>
public sealed record CaState(
    ImmutableSortedDictionary<string, CaItem> Items,
    string? CurrentCaId,
    ImmutableList<string> TrustedCaIds,
    ImmutableHashSet<string> Serials,
    ImmutableList<RevocationRecord> Revocations,
    ImmutableSortedDictionary<string, CrlRecord> Crls,
    long LastCrlNumber,
    string? InstalledId,
    long Sequence)
{
    public static readonly CaState Empty = new(ImmutableSortedDictionary<string, CaItem>.Empty.WithComparers(StringComparer.Ordinal),
        null, [], ImmutableHashSet<string>.Empty, [], ImmutableSortedDictionary<string, CrlRecord>.Empty.WithComparers(StringComparer.Ordinal),
        0, null, 0);

    /// <summary>The fixed ids the first start uses.</summary>
    public const string FirstCaId = FirstStartPki.CaFolder, FirstServerId = FirstStartPki.FirstServerFolder;

    public const int DefaultCaDays = Defaults.CaDays, DefaultServerDays = Defaults.ServerDays, DefaultClientDays = Defaults.ClientDays;

    /// <summary>True before anything was journaled.</summary>
    public bool IsEmpty => Sequence == 0 && Items.IsEmpty;

    public CaItem? Find(string id) => Items.TryGetValue(id ?? "", out var item) ? item : null;

    /// <summary>Items oldest first (creation order).</summary>
    public IReadOnlyList<CaItem> Ordered() => Items.Values.OrderBy(i => i.Created).ThenBy(i => Order(i.Id)).ToList();

    private static long Order(string id) => long.TryParse(id[(id.LastIndexOf('-') + 1)..], out var n) ? n : 0;

    /// <summary>The id the next new item of <paramref name="kind"/> gets.</summary>
    public string NextId(string kind) => $"{kind}-{Sequence + 1}";

    /// <summary>The trusted CA whose CRL is due (missing, or within <paramref name="reissueBefore"/> of nextUpdate).</summary>
    public string? DueCrl(long nowUnix, TimeSpan reissueBefore) => TrustedCaIds
        .Where(id => !Crls.TryGetValue(id, out var crl) || crl.NextUpdate - (long)reissueBefore.TotalSeconds <= nowUnix)
        .Order(StringComparer.Ordinal).FirstOrDefault();

    /// <summary>Seconds until the next CRL falls due, or null when there is no trusted CA.</summary>
    public long? SecondsUntilCrlDue(long nowUnix, TimeSpan reissueBefore)
    {
        if (TrustedCaIds.IsEmpty) return null;
        return TrustedCaIds.Select(id => Crls.TryGetValue(id, out var crl)
            ? Math.Max(0, crl.NextUpdate - (long)reissueBefore.TotalSeconds - nowUnix) : 0).Min();
    }

    /// <summary>Expiry warnings for the current CA and the installed certificate (within <paramref name="within"/>).</summary>
    public IReadOnlyList<string> ExpiryWarnings(long nowUnix, TimeSpan within)
    {
        var warnings = new List<string>();
        foreach (var (id, what) in new[] { (CurrentCaId, "The CA"), (InstalledId, "The installed server certificate") })
        {
            if (id is null || Find(id) is not { NotAfter: > 0 } item) continue;
            var left = item.NotAfter - nowUnix;
            if (left <= 0) warnings.Add($"{what} {id} expired {DateTimeOffset.FromUnixTimeSeconds(item.NotAfter):u}; issue and install a new one.");
            else if (left <= (long)within.TotalSeconds)
                warnings.Add($"{what} {id} expires {DateTimeOffset.FromUnixTimeSeconds(item.NotAfter):u}, in {left / 86400} day(s); renew it now.");
        }
        return warnings;
    }

    /// <summary>Checks a command and decides its id and fields. No I/O, no crypto.</summary>
    public (CaPlan? Plan, CaRejected? Rejection) Process(ICaCommand command, CaSettings settings)
    {
        switch (command)
        {
            case AdoptFirstStart:
                return IsEmpty ? Plan(command, FirstCaId) : Reject(CaCodes.Exists, "The journal is not empty; nothing to adopt.");

            case CreateCa(var form, var replace):
            {
                if (CurrentCaId is not null && !replace)
                    return Reject(CaCodes.Exists, $"A CA exists ({CurrentCaId}); replacing it needs the replace flag.");
                var (f, key, days, rej) = Resolve(form, settings, DefaultCaDays);
                if (rej is not null) return (null, rej);
                if (string.IsNullOrWhiteSpace(f!.CommonName)) return Reject(CaCodes.Invalid, "A CA needs a common name.");
                return Plan(command, NextId(CaKinds.Ca), f, null, key, days);
            }
            case RequestCertificate(var form):
            {
                var (f, key, days, rej) = Resolve(form, settings, DefaultServerDays);
                if (rej is not null) return (null, rej);
                if (string.IsNullOrWhiteSpace(f!.CommonName)) return Reject(CaCodes.Invalid, "A certificate request needs a common name (the server's host name).");
                return Plan(command, NextId(CaKinds.Public), f, null, key, days);
            }
            case ImportCertificate(var id, var pem):
            {
                if (Find(id) is not { } item) return NotFound(id);
                if (item.Kind != CaKinds.Public) return Reject(CaCodes.Refused, $"{id} is not a public-CA request; only those take an imported certificate.");
                if (item.Status != CaStatuses.Requested) return Reject(CaCodes.Exists, $"{id} already holds an imported certificate; make a new request to renew.");
                if (string.IsNullOrWhiteSpace(pem)) return Reject(CaCodes.Invalid, "No certificate was given.");
                return Plan(command, id, item.ToForm(), item);
            }
            case IssueSelfSigned(var form, _):
            {
                var (f, key, days, rej) = Resolve(form, settings, DefaultServerDays);
                if (rej is not null) return (null, rej);
                if (string.IsNullOrWhiteSpace(f!.CommonName)) return Reject(CaCodes.Invalid, "A self-signed certificate needs a common name (the server's host name).");
                return Plan(command, NextId(CaKinds.SelfSigned), f, null, key, days);
            }
            case IssueServerCertificate(var form, _):
            {
                if (CurrentCaId is null) return NoCa();
                var (f, key, days, rej) = Resolve(form, settings, DefaultServerDays);
                if (rej is not null) return (null, rej);
                if (string.IsNullOrWhiteSpace(f!.CommonName) && (f.Names is null || f.Names.Count == 0))
                    return Reject(CaCodes.Invalid, "A server certificate needs a common name or at least one host name.");
                return Plan(command, NextId(CaKinds.Server), f, Find(CurrentCaId), key, days);
            }
            case IssueClientCertificate(var form, var profile):
            {
                if (CurrentCaId is null) return NoCa();
                var (f, key, days, rej) = Resolve(form, settings, DefaultClientDays);
                if (rej is not null) return (null, rej);
                if (string.IsNullOrWhiteSpace(f!.Email)) return Reject(CaCodes.Invalid, "A client certificate needs an e-mail address.");
                f = f with { CommonName = string.IsNullOrWhiteSpace(f.CommonName) ? f.Email : f.CommonName };
                Pkcs12Profile p12;
                try { p12 = Pkcs12.ParseProfile(profile); }
                catch (PkiException e) { return Reject(CaCodes.Invalid, e.Message); }
                return (new CaPlan(command, NextId(CaKinds.Client), f, Find(CurrentCaId), key, days, RevocationReason.Unspecified, p12), null);
            }
            case InstallCertificate(var id):
            {
                if (Find(id) is not { } item) return NotFound(id);
                if (item.Kind is not (CaKinds.Server or CaKinds.SelfSigned or CaKinds.Public))
                    return Reject(CaCodes.Refused, $"{id} is a {item.Kind} item; only server certificates can be installed.");
                if (item.Status == CaStatuses.Requested) return Reject(CaCodes.Refused, $"{id} has no certificate yet; import the public CA's answer first.");
                if (item.Status == CaStatuses.Revoked) return Reject(CaCodes.Refused, $"{id} is revoked.");
                return Plan(command, id, item.ToForm(), item);
            }
            case RevokeCertificate(var id, var reasonText):
            {
                if (Find(id) is not { } item) return NotFound(id);
                if (item.Status == CaStatuses.Revoked) return Reject(CaCodes.Refused, $"{id} is already revoked.");
                // Revoking the certificate every client is being served would break them all at once: put a
                // replacement in service first (certserver ... install 1), then revoke.
                if (id == InstalledId) return Reject(CaCodes.Refused, $"{id} is installed as the server certificate; install a replacement first, then revoke it.");
                if (item.Kind is not (CaKinds.Server or CaKinds.Client) || item.Status != CaStatuses.Valid)
                    return Reject(CaCodes.Refused, $"{id} was not issued by the private CA, so its CRL cannot revoke it.");
                if (!TrustedCaIds.Contains(item.IssuerId))
                    return Reject(CaCodes.Refused, $"The CA {item.IssuerId} that issued {id} was deleted.");
                if (ParseReason(reasonText) is not { } reason)
                    return Reject(CaCodes.Invalid, $"Unknown revocation reason '{reasonText}'.");
                return (new CaPlan(command, id, item.ToForm(), item, null, 0, reason, Pkcs12Profile.Modern), null);
            }
            case DeleteCertificate(var id):
            {
                if (Find(id) is not { } item) return NotFound(id);
                if (item.Kind == CaKinds.Public) return Reject(CaCodes.Refused, $"{id} was made for public use and cannot be deleted here.");
                if (id == CurrentCaId) return Reject(CaCodes.Refused, $"{id} is the current CA; create a replacement first.");
                if (id == InstalledId) return Reject(CaCodes.Refused, $"{id} is installed as the server certificate; install another first.");
                return Plan(command, id, item.ToForm(), item);
            }
            case PublishCrl(var caId):
            {
                var id = caId ?? CurrentCaId;
                if (id is null) return NoCa();
                if (!TrustedCaIds.Contains(id)) return Reject(CaCodes.NotFound, $"{id} is not a CA of this server.");
                return Plan(command, id, new CertificateForm(), Find(id));
            }
            default:
                return Reject(CaCodes.Invalid, $"Unknown CA command {command.GetType().Name}.");
        }
    }

    /// <summary>Re-checks the events a finished operation wants to journal against the current state.</summary>
    public CaRejected? Validate(IReadOnlyList<ICaEvent> events)
    {
        var state = this;
        foreach (var e in events)
        {
            switch (e)
            {
                case CaCreated c when state.Items.ContainsKey(c.Id):
                case CaAdopted a when state.Items.ContainsKey(a.Id):
                case CertificateRequested r when state.Items.ContainsKey(r.Id):
                case CertificateIssued i when state.Items.ContainsKey(i.Id):
                    return new CaRejected(CaCodes.Exists, "The item id is already in use.");
                case CaCreated c when state.Serials.Contains(c.Serial):
                case CaAdopted a when state.Serials.Contains(a.Serial):
                case CertificateIssued i when state.Serials.Contains(i.Serial):
                    return new CaRejected(CaCodes.Exists, "Serial number already used.");
                case CaCreated c when c.ReplacedCaId != (state.CurrentCaId ?? ""):
                    return new CaRejected(CaCodes.Exists, "The CA changed meanwhile.");
                case CrlPublished p when p.Number <= state.LastCrlNumber:
                    return new CaRejected(CaCodes.Invalid, "CRL numbers only grow.");
            }
            state = state.Apply(e);
        }
        return null;
    }

    public CaState Apply(ICaEvent e) => e switch
    {
        CaCreated c => AddCa(new CaItem(c.Id, CaKinds.Ca, CaStatuses.Valid, c.Country, c.State, c.Locality, c.Organization,
            c.Unit, c.CommonName, c.Email, "", c.KeySpec, c.Days, c.Note, c.Subject, c.Subject, "", c.Serial, c.NotBefore,
            c.NotAfter, c.Sha256, "", c.At, 0, 0)),
        CaAdopted a => AddCa(new CaItem(a.Id, CaKinds.Ca, CaStatuses.Valid, "", "", "", a.Organization, "", a.CommonName, "",
            "", a.KeySpec, a.Days, a.Note, a.Subject, a.Subject, "", a.Serial, a.NotBefore, a.NotAfter, a.Sha256, "", a.At, 0, 0)),
        CertificateRequested r => this with
        {
            Items = Items.SetItem(r.Id, new CaItem(r.Id, CaKinds.Public, CaStatuses.Requested, r.Country, r.State, r.Locality,
                r.Organization, r.Unit, r.CommonName, r.Email, r.Names, r.KeySpec, 0, r.Note, r.Subject, "", "", "", 0, 0, "", "",
                r.At, 0, 0)),
            Sequence = Sequence + 1,
        },
        CertificateIssued i => this with
        {
            Items = Items.SetItem(i.Id, new CaItem(i.Id, i.Kind, CaStatuses.Valid, i.Country, i.State, i.Locality, i.Organization,
                i.Unit, i.CommonName, i.Email, i.Names, i.KeySpec, i.Days, i.Note, i.Subject, i.Issuer, i.IssuerId, i.Serial,
                i.NotBefore, i.NotAfter, i.Sha256, i.P12Profile, i.At, 0, 0)),
            Serials = Serials.Add(i.Serial),
            Sequence = Sequence + 1,
        },
        CertificateImported m => Items.TryGetValue(m.Id, out var req)
            ? this with
            {
                Items = Items.SetItem(m.Id, req with
                {
                    Status = CaStatuses.Valid, Subject = m.Subject, Issuer = m.Issuer, Serial = m.Serial, NotBefore = m.NotBefore,
                    NotAfter = m.NotAfter, Sha256 = m.Sha256, Names = m.Names,
                    Days = (int)Math.Round((m.NotAfter - m.NotBefore) / 86400.0),
                }),
            }
            : this,
        CertificateInstalled n => this with { InstalledId = n.Id },
        CertificateRevoked v => this with
        {
            Items = Items.TryGetValue(v.Id, out var item)
                ? Items.SetItem(v.Id, item with { Status = CaStatuses.Revoked, RevokedAt = v.At, RevocationReason = v.Reason })
                : Items,
            Revocations = Revocations.Add(new RevocationRecord(v.IssuerId, v.Serial, v.Id, v.At, v.Reason)),
        },
        CertificateDeleted d => this with
        {
            Items = Items.Remove(d.Id),
            TrustedCaIds = TrustedCaIds.Remove(d.Id),
            Crls = Crls.Remove(d.Id),
            InstalledId = InstalledId == d.Id ? null : InstalledId,
        },
        CrlPublished p => this with
        {
            Crls = Crls.SetItem(p.CaId, new CrlRecord(p.CaId, p.Number, p.ThisUpdate, p.NextUpdate, p.RevokedCount)),
            LastCrlNumber = Math.Max(LastCrlNumber, p.Number),
        },
        _ => this,
    };

    private CaState AddCa(CaItem ca) => this with
    {
        Items = Items.SetItem(ca.Id, ca),
        CurrentCaId = ca.Id,
        TrustedCaIds = TrustedCaIds.Contains(ca.Id) ? TrustedCaIds : TrustedCaIds.Add(ca.Id),
        Serials = Serials.Add(ca.Serial),
        Sequence = Sequence + 1,
    };

    /// <summary>RFC 5280 reason by name (case, dashes, underscores and blanks ignored) or number.</summary>
    public static RevocationReason? ParseReason(string? text)
    {
        var t = new string((text ?? "").Where(char.IsLetterOrDigit).ToArray());
        if (t.Length == 0) return RevocationReason.Unspecified;
        if (int.TryParse(t, out var n)) return Enum.IsDefined((RevocationReason)n) ? (RevocationReason)n : null;
        return Enum.TryParse<RevocationReason>(t, true, out var r) && Enum.IsDefined(r) ? r : null;
    }

    /// <summary>Fills a form from the item named in <c>From</c> and from the defaults.</summary>
    private (CertificateForm? Form, KeySpec? Key, int Days, CaRejected? Rejection) Resolve(CertificateForm form, CaSettings settings, int defaultDays)
    {
        var f = form;
        if (form.From is { } from)
        {
            if (Find(from) is not { } earlier) return (null, null, 0, new CaRejected(CaCodes.NotFound, $"No item {from} to start from."));
            var e = earlier.ToForm();
            f = new CertificateForm(form.CommonName ?? e.CommonName, form.Country ?? e.Country, form.State ?? e.State,
                form.Locality ?? e.Locality, form.Organization ?? e.Organization, form.Unit ?? e.Unit, form.Email ?? e.Email,
                form.Names ?? e.Names, form.KeyType ?? e.KeyType, form.Days ?? e.Days, form.Note ?? e.Note, from);
        }
        f = f with { Names = f.Names ?? [] };
        KeySpec key;
        try { key = KeySpec.Parse(f.KeyType ?? settings.DefaultKeyType); }
        catch (PkiException ex) { return (null, null, 0, new CaRejected(CaCodes.Invalid, ex.Message)); }
        var days = f.Days ?? defaultDays;
        if (days < 1 || days > Defaults.MaxDays)
            return (null, null, 0, new CaRejected(CaCodes.Invalid, $"Validity must be between 1 and {Defaults.MaxDays} days."));
        return (f with { KeyType = key.Name, Days = days }, key, days, null);
    }

    private static (CaPlan?, CaRejected?) Plan(ICaCommand c, string id, CertificateForm? form = null, CaItem? target = null,
        KeySpec? key = null, int days = 0) =>
        (new CaPlan(c, id, form ?? new CertificateForm(), target, key, days, RevocationReason.Unspecified, Pkcs12Profile.Modern), null);

    private static (CaPlan?, CaRejected?) Reject(string code, string message) => (null, new CaRejected(code, message));
    private static (CaPlan?, CaRejected?) NotFound(string id) => Reject(CaCodes.NotFound, $"No item {id}.");
    private static (CaPlan?, CaRejected?) NoCa() => Reject(CaCodes.NoCa, "There is no private CA; create one first.");
}

/// <summary>Snapshot schema: primitives and records of primitives only, like the events.</summary>
public sealed record CaSnapshot(CaItem[] Items, string CurrentCaId, string[] TrustedCaIds, string[] Serials,
    RevocationRecord[] Revocations, CrlRecord[] Crls, long LastCrlNumber, string InstalledId, long Sequence)
{
    public static CaSnapshot From(CaState s) => new(s.Items.Values.ToArray(), s.CurrentCaId ?? "", s.TrustedCaIds.ToArray(),
        s.Serials.Order(StringComparer.Ordinal).ToArray(), s.Revocations.ToArray(), s.Crls.Values.ToArray(), s.LastCrlNumber,
        s.InstalledId ?? "", s.Sequence);

    public CaState ToState() => CaState.Empty with
    {
        Items = CaState.Empty.Items.SetItems(Items.Select(i => KeyValuePair.Create(i.Id, i))),
        CurrentCaId = CurrentCaId.Length == 0 ? null : CurrentCaId,
        TrustedCaIds = [.. TrustedCaIds],
        Serials = [.. Serials],
        Revocations = [.. Revocations],
        Crls = CaState.Empty.Crls.SetItems(Crls.Select(c => KeyValuePair.Create(c.CaId, c))),
        LastCrlNumber = LastCrlNumber,
        InstalledId = InstalledId.Length == 0 ? null : InstalledId,
        Sequence = Sequence,
    };
}
