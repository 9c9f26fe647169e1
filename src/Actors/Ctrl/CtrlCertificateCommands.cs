using System.Globalization;
using System.Text;
using Akka.Actor;
using JdMail.Actors.Ca;
using JdMail.Actors.Tls;

namespace JdMail.Actors.Ctrl;

/// <summary>
/// Runs the certificate commands (issue 4 §4) against the <see cref="CertificateAuthorityActor"/>, off the session
/// actor. Commands that create something answer <c>+00100</c> rows <c>"name" "value"</c>, always with <c>"id"</c>;
/// downloads answer <c>+00100</c> and the file's lines (binary files as base64 lines). The CA's refusals become
/// JdMail's certificate codes (01100-01106, see <see cref="Rejected"/>), with the CA's one-line explanation.
/// </summary>
public sealed class CtrlCertificateCommands
{
    private readonly IActorRef _ca;
    private readonly TlsContext _tls;
    private readonly TimeSpan _timeout;
    private readonly IActorRef? _diagnostics;

    public CtrlCertificateCommands(IActorRef ca, TlsContext tls, TimeSpan? timeout = null, IActorRef? diagnostics = null)
    {
        _ca = ca;
        _tls = tls;
        _diagnostics = diagnostics;
        // Key generation (RSA 4096) and the journal write can take a while.
        _timeout = timeout ?? TimeSpan.FromSeconds(60);
    }

    /// <summary>Whether this class runs <paramref name="command"/>.</summary>
    public static bool Handles(CtrlCommand command) => command is CaCreateCommand or CaInfoCommand or CaGetCommand
        or CertReqCommand or CertImportCommand or CertSelfCommand or CertServerCommand or CertClientCommand
        or CertListCommand or CertShowCommand or CertGetCommand or CertInstallCommand or CertRevokeCommand
        or CertDeleteCommand or CrlGetCommand or CertProfilesCommand or DiagCommand;

    /// <summary>Whether <paramref name="command"/> takes a <c>+00101</c> upload before it runs.</summary>
    public static bool NeedsUpload(CtrlCommand command) => command is CertImportCommand;

    public Task<CtrlResponse> ExecuteAsync(CtrlCommand command, byte[]? upload = null)
    {
        try
        {
            return command switch
            {
                CaCreateCommand c => CreateAsync(new CreateCa(Form(c), Flag(c, "replace"))),
                CaInfoCommand => CaInfoAsync(),
                CaGetCommand c => CaGetAsync(c.Format),
                CertReqCommand c => CreateAsync(new RequestCertificate(Form(c))),
                CertImportCommand c => CreateAsync(new ImportCertificate(c.Id, Encoding.UTF8.GetString(upload ?? []))),
                CertSelfCommand c => CreateAsync(new IssueSelfSigned(Form(c), Flag(c, "install"))),
                CertServerCommand c => CreateAsync(new IssueServerCertificate(Form(c), Flag(c, "install"))),
                CertClientCommand c => CreateAsync(new IssueClientCertificate(Form(c), c.Field("p12profile") ?? "modern")),
                CertListCommand c => ListAsync(c.Type),
                CertShowCommand c => ShowAsync(c.Id),
                CertGetCommand c => DownloadAsync(c.Id, c.Kind),
                CertInstallCommand c => ChangeAsync(new InstallCertificate(c.Id)),
                CertRevokeCommand c => ChangeAsync(new RevokeCertificate(c.Id, c.Reason)),
                CertDeleteCommand c => ChangeAsync(new DeleteCertificate(c.Id)),
                CrlGetCommand c => CrlGetAsync(c.Format),
                CertProfilesCommand => ProfilesAsync(),
                DiagCommand => DiagAsync(),
                _ => Task.FromResult(CtrlResponse.Fail(CtrlReply.BadCommand)),
            };
        }
        catch (FormatException e)
        {
            return Task.FromResult(CtrlResponse.Fail(CtrlReply.Error(103, $"Bad CTRL command syntax: {e.Message}")));
        }
    }

    // --- forms -------------------------------------------------------------------------------------------------

    /// <summary>The form fields; unknown names were refused by the parser. Throws FormatException on a bad value.</summary>
    public static CertificateForm Form(CtrlFormCommand c)
    {
        int? days = null;
        if (c.Field("days") is { } d)
        {
            if (!int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
                throw new FormatException($"days '{d}' is not a positive number");
            days = n;
        }
        var san = c.Field("san") is { } s
            ? s.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : null;
        return new CertificateForm(c.Field("cn"), c.Field("c"), c.Field("st"), c.Field("l"), c.Field("o"), c.Field("ou"),
            c.Field("email"), san, c.Field("keyspec"), days, c.Field("note"), c.Field("from"));
    }

    private static bool Flag(CtrlFormCommand c, string name) => c.Field(name)?.ToLowerInvariant() switch
    {
        null or "0" or "no" or "false" or "off" or "" => false,
        "1" or "yes" or "true" or "on" => true,
        var v => throw new FormatException($"{name} '{v}' is not 0 or 1"),
    };

    // --- replies -----------------------------------------------------------------------------------------------

    /// <summary>
    /// The CA's refusal codes as CTRL codes: 01100 not found, 01101 already exists, 01102 no private CA,
    /// 01103 invalid request, 01104 refused (not allowed for this item), 01105 storage error, 01106 journal error.
    /// </summary>
    public static CtrlReply Rejected(CaRejected r) => CtrlReply.Error(r.Code switch
    {
        CaCodes.NotFound => 1100,
        CaCodes.Exists => 1101,
        CaCodes.NoCa => 1102,
        CaCodes.Invalid => 1103,
        CaCodes.Refused => 1104,
        CaCodes.Storage => 1105,
        CaCodes.Journal => 1106,
        _ => 1000,
    }, OneLine(r.Message));

    private static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static string Time(long unixSeconds) => unixSeconds == 0 ? ""
        : DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static IEnumerable<string[]> ItemRows(CaItem i) =>
    [
        ["id", i.Id], ["type", i.Kind], ["status", i.Status], ["subject", i.Subject], ["issuer", i.Issuer],
        ["issuerid", i.IssuerId], ["serial", i.Serial], ["notbefore", Time(i.NotBefore)], ["notafter", Time(i.NotAfter)],
        ["san", i.Names], ["keyspec", i.KeySpec], ["sha256", i.Sha256], ["created", Time(i.Created)], ["note", i.Note],
    ];

    private static CtrlResponse Pairs(IEnumerable<string[]> rows) => CtrlResponse.Rows(rows);

    private async Task<object> AskAsync(object message) => await _ca.Ask<object>(message, _timeout).ConfigureAwait(false);

    private async Task<CtrlResponse> CreateAsync(ICaCommand command)
    {
        var answer = await AskAsync(command).ConfigureAwait(false);
        return answer switch
        {
            CaRejected r => CtrlResponse.Fail(Rejected(r)),
            CaCreatedResult r => Pairs(ItemRows(r.Item)),
            CertificateRequestedResult r => Pairs(ItemRows(r.Item)),
            CertificateImportedResult r => Pairs(ItemRows(r.Item)),
            CertificateIssuedResult r => Pairs(ItemRows(r.Item)
                .Append(["installed", r.Installed ? "1" : "0"])
                // Shown once: the CA does not keep the .p12 password.
                .Concat(r.P12Password is { } p ? [["password", p]] : Array.Empty<string[]>())),
            _ => CtrlResponse.Fail(CtrlReply.LocalError),
        };
    }

    private async Task<CtrlResponse> ChangeAsync(ICaCommand command)
    {
        var answer = await AskAsync(command).ConfigureAwait(false);
        return answer switch
        {
            CaRejected r => CtrlResponse.Fail(Rejected(r)),
            CertificateRevokedResult r => Pairs([["id", r.Item.Id], ["status", r.Item.Status], ["serial", r.Item.Serial], ["crlnumber", r.CrlNumber.ToString(CultureInfo.InvariantCulture)]]),
            CertificateInstalledResult r => Pairs([["id", r.Item.Id], ["subject", r.Item.Subject], ["sha256", r.Item.Sha256]]),
            CertificateDeletedResult r => Pairs([["id", r.Id]]),
            _ => CtrlResponse.Fail(CtrlReply.LocalError),
        };
    }

    private async Task<CertificateListResult> ListAllAsync() =>
        await _ca.Ask<CertificateListResult>(new ListCertificates(), _timeout).ConfigureAwait(false);

    private async Task<CtrlResponse> ListAsync(string? type)
    {
        var list = await ListAllAsync().ConfigureAwait(false);
        return CtrlResponse.Rows(list.Items
            .Where(i => type is null || i.Kind.Equals(type, StringComparison.OrdinalIgnoreCase))
            .Select(i => new[] { i.Id, i.Kind, i.Status, Time(i.Created), Time(i.NotAfter), i.Serial, i.Subject, i.Note }));
    }

    private async Task<CtrlResponse> ShowAsync(string id)
    {
        var answer = await AskAsync(new ShowCertificate(id)).ConfigureAwait(false);
        if (answer is CaRejected r) return CtrlResponse.Fail(Rejected(r));
        if (answer is not CertificateDetailsResult d) return CtrlResponse.Fail(CtrlReply.LocalError);
        // The item's fields, then the readable dump one "text" row per line.
        return Pairs(ItemRows(d.Item).Concat(d.Text.Split('\n').Select(l => new[] { "text", l.TrimEnd('\r') })));
    }

    private async Task<CtrlResponse> CaInfoAsync()
    {
        var list = await ListAllAsync().ConfigureAwait(false);
        if (list.CurrentCaId is not { } caId || list.Items.FirstOrDefault(i => i.Id == caId) is not { } ca)
            return CtrlResponse.Fail(Rejected(new CaRejected(CaCodes.NoCa, "No private CA: create one with cacreate.")));
        var status = await _ca.Ask<CaStatusResult>(new GetCaStatus(), _timeout).ConfigureAwait(false);
        var crl = status.Crls.FirstOrDefault(c => c.CaId == caId);
        return Pairs(ItemRows(ca)
            .Append(["installed", list.InstalledId ?? ""])
            .Append(["crlnumber", crl is null ? "" : crl.Number.ToString(CultureInfo.InvariantCulture)])
            .Append(["crlnextupdate", crl is null ? "" : Time(crl.NextUpdate)]));
    }

    private async Task<CtrlResponse> CaGetAsync(string format)
    {
        var list = await ListAllAsync().ConfigureAwait(false);
        if (list.CurrentCaId is not { } caId)
            return CtrlResponse.Fail(Rejected(new CaRejected(CaCodes.NoCa, "No private CA: create one with cacreate.")));
        return await DownloadAsync(caId, format == "der" ? "der" : "cert").ConfigureAwait(false);
    }

    private async Task<CtrlResponse> CrlGetAsync(string format)
    {
        var list = await ListAllAsync().ConfigureAwait(false);
        if (list.CurrentCaId is not { } caId)
            return CtrlResponse.Fail(Rejected(new CaRejected(CaCodes.NoCa, "No private CA: create one with cacreate.")));
        var answer = await AskAsync(new GetArtefact(caId, ArtefactKind.Crl)).ConfigureAwait(false);
        if (answer is CaRejected r) return CtrlResponse.Fail(Rejected(r));
        if (answer is not ArtefactResult a) return CtrlResponse.Fail(CtrlReply.LocalError);
        var pem = Encoding.ASCII.GetString(a.Content);
        return format == "der" ? Base64Lines(PemBody(pem)) : TextLines(pem);
    }

    private async Task<CtrlResponse> DownloadAsync(string id, string kind)
    {
        var artefact = kind switch
        {
            "cert" => ArtefactKind.Cert, "chain" => ArtefactKind.Chain, "key" => ArtefactKind.Key,
            "csr" => ArtefactKind.Csr, "der" => ArtefactKind.Der, "p12" => ArtefactKind.P12,
            _ => throw new FormatException($"'{kind}' is not cert|chain|key|csr|der|p12"),
        };
        var answer = await AskAsync(new GetArtefact(id, artefact)).ConfigureAwait(false);
        if (answer is CaRejected r) return CtrlResponse.Fail(Rejected(r));
        if (answer is not ArtefactResult a) return CtrlResponse.Fail(CtrlReply.LocalError);
        return artefact is ArtefactKind.Der or ArtefactKind.P12 ? Base64Lines(a.Content) : TextLines(Encoding.UTF8.GetString(a.Content));
    }

    private static CtrlResponse TextLines(string text) =>
        CtrlResponse.FileLines(text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'));

    /// <summary>Binary content as base64 in lines of 64 characters (as in PEM).</summary>
    public static CtrlResponse Base64Lines(byte[] content)
    {
        var b64 = Convert.ToBase64String(content);
        return CtrlResponse.FileLines(Enumerable.Range(0, (b64.Length + 63) / 64).Select(i => b64.Substring(i * 64, Math.Min(64, b64.Length - i * 64))));
    }

    private static byte[] PemBody(string pem) => Convert.FromBase64String(string.Concat(pem.Split('\n')
        .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));

    private async Task<CtrlResponse> ProfilesAsync()
    {
        var list = await ListAllAsync().ConfigureAwait(false);
        // Columns: id type c st l o ou cn email san keyspec days note; any id can be given as "from" to a create command.
        return CtrlResponse.Rows(list.Items.Select(i => new[]
        {
            i.Id, i.Kind, i.Country, i.State, i.Locality, i.Organization, i.Unit, i.CommonName, i.Email, i.Names, i.KeySpec,
            i.Days == 0 ? "" : i.Days.ToString(CultureInfo.InvariantCulture), i.Note,
        }));
    }

    // --- diag --------------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>diag</c>: the diagnostics actor's aggregated view plus a live self-probe of every TLS endpoint, one row
    /// <c>"area" "item" "status" "detail"</c> per item (the detail of a non-OK item ends with its fix).
    /// </summary>
    private async Task<CtrlResponse> DiagAsync()
    {
        if (_diagnostics is null)
            return CtrlResponse.Fail(CtrlReply.Error(1000, "Diagnostics are not running in this server"));
        try
        {
            var report = await _diagnostics.Ask<Diagnostics.DiagnosticsReport>(new Diagnostics.GetDiagnostics(Probe: true), _timeout).ConfigureAwait(false);
            return CtrlResponse.Rows(report.Items.Select(i => new[] { i.Area, i.Item, i.StatusText, OneLine(i.Detail) }).ToList());
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return CtrlResponse.Fail(CtrlReply.Error(1000, "Diagnostics did not answer in time; see the server log"));
        }
    }

}
