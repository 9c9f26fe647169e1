using System.Security.Cryptography;
using JdMail.Pki;
using Org.BouncyCastle.Math;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Actors.Ca;

/// <summary>A refusal found while doing the work (bad input the pure check cannot see, e.g. a foreign certificate).</summary>
public sealed class CaWorkException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>
/// The finished crypto and file work of one command, not yet journaled: the events to persist, the reply to build from
/// the new state, how to undo the files when the journal refuses, what to do once it accepted, and the notices to
/// publish.
/// </summary>
public sealed record CaPrepared(IReadOnlyList<ICaEvent> Events, Func<CaState, object> Reply, Action Undo, Action Commit,
    IReadOnlyList<object> Notices);

/// <summary>
/// Carries out a <see cref="CaPlan"/>: keys, certificates, CSRs, CRLs and .p12 files (src/Pki), then writes and fsyncs
/// every file BEFORE the events are handed back for journaling. Runs on a thread-pool task, off the actor, because RSA
/// key generation takes up to seconds; the actor runs one such task at a time, so the state given here is current.
/// On any failure the files written so far are removed before the exception leaves.
/// </summary>
public static class CaWork
{
    private const int SerialAttempts = 8;

    public static CaPrepared Run(CaPlan plan, CaState state, CaStore store, DateTime nowUtc)
    {
        var undo = new Stack<Action>();
        try
        {
            return plan.Command switch
            {
                AdoptFirstStart => Adopt(state, store, nowUtc),
                Ca.CreateCa => CreateCa(plan, state, store, nowUtc, undo),
                RequestCertificate => Request(plan, store, nowUtc, undo),
                ImportCertificate(_, var pem) => Import(plan, store, pem, nowUtc, undo),
                IssueSelfSigned(_, var install) => IssueServer(plan, state, store, nowUtc, undo, selfSigned: true, install),
                IssueServerCertificate(_, var install) => IssueServer(plan, state, store, nowUtc, undo, selfSigned: false, install),
                IssueClientCertificate => IssueClient(plan, state, store, nowUtc, undo),
                InstallCertificate => Install(plan, store, nowUtc, undo),
                RevokeCertificate => Revoke(plan, state, store, nowUtc, undo),
                DeleteCertificate => Delete(plan, state, store, nowUtc, undo),
                PublishCrl => PublishOnly(plan, state, store, nowUtc, undo),
                _ => throw new CaWorkException(CaCodes.Invalid, $"Unknown CA command {plan.Command.GetType().Name}."),
            };
        }
        catch (CaWorkException)
        {
            RunUndo(undo);
            throw;
        }
        catch (PkiException e)
        {
            RunUndo(undo);
            throw new CaWorkException(CaCodes.Invalid, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RunUndo(undo);
            throw new CaWorkException(CaCodes.Storage, $"File system error: {e.Message}", e);
        }
        catch
        {
            RunUndo(undo);
            throw;
        }
    }

    /// <summary>Runs undo steps newest first; a failing step does not stop the others.</summary>
    public static void RunUndo(Stack<Action> undo)
    {
        while (undo.Count > 0)
        {
            try { undo.Pop()(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort; the file check reports leftovers */ }
        }
    }

    private static CaPrepared Done(IReadOnlyList<ICaEvent> events, Func<CaState, object> reply, Stack<Action> undo,
        Action? commit = null, params object[] notices)
    {
        var steps = undo.ToArray();   // newest first
        return new CaPrepared(events, reply, () => RunUndo(new Stack<Action>(steps.Reverse())), commit ?? (() => { }), notices);
    }

    private static CaPrepared Adopt(CaState state, CaStore store, DateTime now)
    {
        var caId = CaState.FirstCaId;
        var ca = store.TryReadCert(caId) ?? throw new CaWorkException(CaCodes.NotFound, "No first-start CA to adopt.");
        var caProfile = ReadProfile(store.FileOf(caId, CaStore.ProfileFile));
        var at = Unix(now);
        var events = new List<ICaEvent>
        {
            new CaAdopted(caId, Field(caProfile, "o"), Field(caProfile, "cn"), Field(caProfile, "keyspec"),
                int.TryParse(Field(caProfile, "days"), out var cd) ? cd : (int)(ca.NotAfter - ca.NotBefore).TotalDays,
                Field(caProfile, "note"), ca.SubjectDN.ToString(), SerialHex(ca), Unix(ca.NotBefore), Unix(ca.NotAfter),
                Sha256(ca), at),
        };
        var serverId = CaState.FirstServerId;
        if (store.TryReadCert(serverId) is { } leaf)
        {
            var p = ReadProfile(store.FileOf(serverId, CaStore.ProfileFile));
            events.Add(new CertificateIssued(serverId, CaKinds.Server, "", "", "", Field(p, "o"), "", Field(p, "cn"), "",
                Field(p, "san"), Field(p, "keyspec"), int.TryParse(Field(p, "days"), out var sd) ? sd : 0, Field(p, "note"),
                leaf.SubjectDN.ToString(), leaf.IssuerDN.ToString(), caId, SerialHex(leaf), Unix(leaf.NotBefore),
                Unix(leaf.NotAfter), Sha256(leaf), "", at));
            var served = File.Exists(store.Paths.ServerCert)
                ? PemCodec.ReadCertificates(File.ReadAllText(store.Paths.ServerCert)).FirstOrDefault() : null;
            if (served is not null && Sha256(served) == Sha256(leaf))
                events.Add(new CertificateInstalled(serverId, Sha256(leaf), at));
        }
        return Done(events, s => new CaCreatedResult(s.Find(caId)!), new Stack<Action>());
    }

    private static CaPrepared CreateCa(CaPlan plan, CaState state, CaStore store, DateTime now, Stack<Action> undo)
    {
        var f = plan.Form;
        var key = KeyMaterial.Generate(plan.Key!);
        var cert = Unique(state, () => Certificates.CreateCa(Subject(f), key, plan.Days, now));
        var e = new CaCreated(plan.Id, S(f.Country), S(f.State), S(f.Locality), S(f.Organization), S(f.Unit),
            S(f.CommonName), S(f.Email), plan.Key!.Name, plan.Days, S(f.Note), cert.SubjectDN.ToString(), SerialHex(cert),
            Unix(cert.NotBefore), Unix(cert.NotAfter), Sha256(cert), store.Settings.Passphrase is not null,
            state.CurrentCaId ?? "", Unix(now));
        var next = state.Apply(e);
        store.CreateItemFolder(plan.Id, [
            CaStore.NewFile.Text(CaStore.KeyFile, store.CaKeyPem(key.Private), isPrivate: true),
            CaStore.NewFile.Text(CaStore.CertFile, PemCodec.ToPem(cert)),
            CaStore.NewFile.Text(CaStore.ProfileFile, CaStore.ProfileTab(next.Find(plan.Id)!)),
        ]);
        undo.Push(() => store.RemoveItemFolder(plan.Id));
        undo.Push(() => store.WriteTrust(state));
        store.WriteTrust(next);
        return Done([e], s => new CaCreatedResult(s.Find(plan.Id)!), undo);
    }

    private static CaPrepared Request(CaPlan plan, CaStore store, DateTime now, Stack<Action> undo)
    {
        var f = plan.Form;
        var subject = Subject(f);
        var names = Certificates.ServerNames(subject, f.Names ?? []);
        var key = KeyMaterial.Generate(plan.Key!);
        var csrPem = CertificateRequests.ToPem(CertificateRequests.Create(subject, names, key));
        var e = new CertificateRequested(plan.Id, S(f.Country), S(f.State), S(f.Locality), S(f.Organization), S(f.Unit),
            S(f.CommonName), S(f.Email), string.Join(",", names), plan.Key!.Name, S(f.Note), subject.ToX509Name().ToString(), Unix(now));
        var item = CaState.Empty.Apply(e).Find(plan.Id)!;
        store.CreateItemFolder(plan.Id, [
            CaStore.NewFile.Text(CaStore.KeyFile, KeyMaterial.PrivateKeyToPem(key.Private), isPrivate: true),
            CaStore.NewFile.Text(CaStore.CsrFile, csrPem),
            CaStore.NewFile.Text(CaStore.ProfileFile, CaStore.ProfileTab(item)),
        ]);
        undo.Push(() => store.RemoveItemFolder(plan.Id));
        return Done([e], s => new CertificateRequestedResult(s.Find(plan.Id)!, csrPem), undo);
    }

    private static CaPrepared Import(CaPlan plan, CaStore store, string pem, DateTime now, Stack<Action> undo)
    {
        var key = KeyMaterial.ReadPrivateKeyPem(File.ReadAllText(store.FileOf(plan.Id, CaStore.KeyFile)));
        var chain = CertificateImport.Check(pem, key);
        var leaf = chain.Leaf;
        undo.Push(store.WriteItemFile(plan.Id, CaStore.CertFile, PemCodec.ToPem(leaf)));
        undo.Push(store.WriteItemFile(plan.Id, CaStore.ChainFile, chain.ToPem()));
        var e = new CertificateImported(plan.Id, leaf.SubjectDN.ToString(), leaf.IssuerDN.ToString(), SerialHex(leaf),
            Unix(leaf.NotBefore), Unix(leaf.NotAfter), Sha256(leaf), plan.Target!.Names, chain.All.Count, Unix(now));
        return Done([e], s => new CertificateImportedResult(s.Find(plan.Id)!), undo);
    }

    private static CaPrepared IssueServer(CaPlan plan, CaState state, CaStore store, DateTime now, Stack<Action> undo,
        bool selfSigned, bool install)
    {
        var f = plan.Form;
        var subject = Subject(f);
        var names = Certificates.ServerNames(subject, f.Names ?? []);
        var key = KeyMaterial.Generate(plan.Key!);
        BcX509 cert;
        IReadOnlyList<BcX509> chain;
        string issuerId;
        if (selfSigned)
        {
            cert = Unique(state, () => Certificates.CreateSelfSignedServer(subject, names, key, plan.Days, now));
            chain = [cert];
            issuerId = "";
        }
        else
        {
            issuerId = state.CurrentCaId!;
            var (caCert, caKey) = store.LoadCa(issuerId);
            cert = Unique(state, () => Certificates.IssueServer(caCert, caKey, subject, names, key.Public, plan.Days, now, store.Settings.CrlUrl));
            chain = [cert, caCert];
        }
        var issued = Issued(plan, selfSigned ? CaKinds.SelfSigned : CaKinds.Server, string.Join(",", names), cert, issuerId, "", now);
        var item = CaState.Empty.Apply(issued).Find(plan.Id)!;
        store.CreateItemFolder(plan.Id, [
            CaStore.NewFile.Text(CaStore.KeyFile, KeyMaterial.PrivateKeyToPem(key.Private), isPrivate: true),
            CaStore.NewFile.Text(CaStore.CertFile, PemCodec.ToPem(cert)),
            CaStore.NewFile.Text(CaStore.ChainFile, PemCodec.ToPem(chain)),
            CaStore.NewFile.Text(CaStore.ProfileFile, CaStore.ProfileTab(item)),
        ]);
        undo.Push(() => store.RemoveItemFolder(plan.Id));
        var events = new List<ICaEvent> { issued };
        var notices = new List<object>();
        if (install)
        {
            undo.Push(store.Install(plan.Id));
            events.Add(new CertificateInstalled(plan.Id, item.Sha256, Unix(now)));
            notices.Add(new CertificateInstalledNotice(plan.Id, item.Sha256));
        }
        return Done(events, s => new CertificateIssuedResult(s.Find(plan.Id)!, install, null), undo, null, [.. notices]);
    }

    private static CaPrepared IssueClient(CaPlan plan, CaState state, CaStore store, DateTime now, Stack<Action> undo)
    {
        var f = plan.Form;
        var issuerId = state.CurrentCaId!;
        var (caCert, caKey) = store.LoadCa(issuerId);
        var key = KeyMaterial.Generate(plan.Key!);
        var subject = Subject(f);
        var cert = Unique(state, () => Certificates.IssueClient(caCert, caKey, subject, key.Public, plan.Days, now, store.Settings.CrlUrl));
        var password = Passwords.Generate();
        var p12 = Pkcs12.Create(key.Private, cert, [caCert], password, S(f.CommonName), plan.P12Profile);
        var issued = Issued(plan, CaKinds.Client, Names.Email(f.Email!), cert, issuerId,
            plan.P12Profile.ToString().ToLowerInvariant(), now);
        var item = CaState.Empty.Apply(issued).Find(plan.Id)!;
        // The client key exists only inside the password-protected .p12; the password is returned once, never stored.
        store.CreateItemFolder(plan.Id, [
            CaStore.NewFile.Text(CaStore.CertFile, PemCodec.ToPem(cert)),
            CaStore.NewFile.Text(CaStore.ChainFile, PemCodec.ToPem([cert, caCert])),
            new CaStore.NewFile(CaStore.P12File, p12, Private: true),
            CaStore.NewFile.Text(CaStore.ProfileFile, CaStore.ProfileTab(item)),
        ]);
        undo.Push(() => store.RemoveItemFolder(plan.Id));
        return Done([issued], s => new CertificateIssuedResult(s.Find(plan.Id)!, false, password), undo);
    }

    private static CaPrepared Install(CaPlan plan, CaStore store, DateTime now, Stack<Action> undo)
    {
        undo.Push(store.Install(plan.Id));
        var sha = plan.Target!.Sha256;
        return Done([new CertificateInstalled(plan.Id, sha, Unix(now))], s => new CertificateInstalledResult(s.Find(plan.Id)!),
            undo, null, new CertificateInstalledNotice(plan.Id, sha));
    }

    private static CaPrepared Revoke(CaPlan plan, CaState state, CaStore store, DateTime now, Stack<Action> undo)
    {
        var item = plan.Target!;
        var revoked = new CertificateRevoked(item.Id, item.IssuerId, item.Serial, (int)plan.Reason, Unix(now));
        var (published, notice) = SignCrl(item.IssuerId, state.Apply(revoked), store, now, undo);
        var next = state.Apply(revoked).Apply(published);
        undo.Push(() => store.WriteTrust(state));
        store.WriteTrust(next);
        return Done([revoked, published], s => new CertificateRevokedResult(s.Find(item.Id)!, published.Number), undo, null,
            new CertificateRevokedNotice(item.Id, item.IssuerId, item.Serial, (int)plan.Reason), notice);
    }

    private static CaPrepared PublishOnly(CaPlan plan, CaState state, CaStore store, DateTime now, Stack<Action> undo)
    {
        var (published, notice) = SignCrl(plan.Id, state, store, now, undo);
        undo.Push(() => store.WriteTrust(state));
        store.WriteTrust(state.Apply(published));
        return Done([published], _ => new CrlPublishedResult(plan.Id, published.Number, notice.NextUpdateUtc), undo, null, notice);
    }

    private static CaPrepared Delete(CaPlan plan, CaState state, CaStore store, DateTime now, Stack<Action> undo)
    {
        var e = new CertificateDeleted(plan.Id, Unix(now));
        var aside = store.MoveAside(plan.Id);
        undo.Push(() => store.MoveBack(plan.Id, aside));
        if (state.TrustedCaIds.Contains(plan.Id))
        {
            undo.Push(() => store.WriteTrust(state));
            store.WriteTrust(state.Apply(e));
        }
        return Done([e], _ => new CertificateDeletedResult(plan.Id), undo, () => CaStore.TryDeleteFolder(aside));
    }

    /// <summary>Signs the next CRL of <paramref name="caId"/> listing every revocation journaled for it (plus the one
    /// in <paramref name="withRevocation"/>), writes <c>sslconf/&lt;ca&gt;/crl.pem</c>, and returns its event.</summary>
    private static (CrlPublished, CrlPublishedNotice) SignCrl(string caId, CaState withRevocation, CaStore store, DateTime now,
        Stack<Action> undo)
    {
        var (caCert, caKey) = store.LoadCa(caId);
        var entries = withRevocation.Revocations.Where(r => r.CaId == caId)
            .Select(r => new RevokedEntry(new BigInteger(r.Serial, 16), DateTimeOffset.FromUnixTimeSeconds(r.At).UtcDateTime,
                (RevocationReason)r.Reason))
            .ToList();
        var number = withRevocation.LastCrlNumber + 1;
        var thisUpdate = DateTimeOffset.FromUnixTimeSeconds(Unix(now)).UtcDateTime;
        var nextUpdate = thisUpdate + store.Settings.CrlValidity;
        var crl = Crls.Create(caCert, caKey, entries, BigInteger.ValueOf(number), thisUpdate, nextUpdate);
        undo.Push(store.WriteItemFile(caId, CaStore.CrlFile, PemCodec.ToPem(crl)));
        return (new CrlPublished(caId, number, Unix(thisUpdate), Unix(nextUpdate), entries.Count, Unix(now)),
            new CrlPublishedNotice(caId, number, nextUpdate));
    }

    private static CertificateIssued Issued(CaPlan plan, string kind, string names, BcX509 cert, string issuerId,
        string p12Profile, DateTime now)
    {
        var f = plan.Form;
        return new CertificateIssued(plan.Id, kind, S(f.Country), S(f.State), S(f.Locality), S(f.Organization), S(f.Unit),
            S(f.CommonName), S(f.Email), names, plan.Key!.Name, plan.Days, S(f.Note), cert.SubjectDN.ToString(),
            cert.IssuerDN.ToString(), issuerId, SerialHex(cert), Unix(cert.NotBefore), Unix(cert.NotAfter), Sha256(cert),
            p12Profile, Unix(now));
    }

    /// <summary>Serials are random (126 bits); one that was ever used before, by any CA of this server, is drawn again.</summary>
    private static BcX509 Unique(CaState state, Func<BcX509> make)
    {
        for (var i = 0; i < SerialAttempts; i++)
        {
            var cert = make();
            if (!state.Serials.Contains(SerialHex(cert))) return cert;
        }
        throw new CaWorkException(CaCodes.Exists, "Could not draw an unused serial number.");
    }

    private static SubjectFields Subject(CertificateForm f) =>
        new(f.Country, f.State, f.Locality, f.Organization, f.Unit, f.CommonName, f.Email);

    private static string S(string? s) => s?.Trim() ?? "";

    public static string SerialHex(BcX509 cert) => cert.SerialNumber.ToString(16).ToLowerInvariant();
    public static string Sha256(BcX509 cert) => Convert.ToHexStringLower(SHA256.HashData(cert.GetEncoded()));
    public static long Unix(DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds();

    /// <summary>Reads an XMail tab file of <c>"name"TAB"value"</c> rows; a missing file gives no fields.</summary>
    public static IReadOnlyDictionary<string, string> ReadProfile(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path)) return result;
        foreach (var line in File.ReadAllLines(path))
        {
            var tab = line.IndexOf('\t');
            if (tab < 0) continue;
            result[line[..tab].Trim('"')] = line[(tab + 1)..].Trim('"').Replace("\\\"", "\"");
        }
        return result;
    }

    private static string Field(IReadOnlyDictionary<string, string> p, string name) => p.TryGetValue(name, out var v) ? v : "";
}
