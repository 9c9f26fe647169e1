using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace JdMail.Actors.Outbound;

/// <summary>The hosts to try for a domain, or why there are none (permanent: no such domain or null MX).</summary>
public sealed record MxResult(IReadOnlyList<string> Hosts, string? Error, bool Permanent);

/// <summary>Finds the mail exchangers of a domain (RFC 5321 §5.1).</summary>
public interface IMxResolver
{
    Task<MxResult> ResolveAsync(string domain, CancellationToken ct);
}

/// <summary>
/// MX lookup with DnsClient: MX records by preference; none at all means the domain itself (implicit MX) when it has
/// an address; NXDOMAIN, a null MX (RFC 7505) or no address at all is permanent; a server failure or timeout is
/// temporary and does not fall back to the A record (XMail 1.27 does the same).
/// </summary>
public sealed class DnsMxResolver : IMxResolver
{
    private readonly LookupClient _client;

    public DnsMxResolver(IReadOnlyList<string> servers)
    {
        var options = servers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions(servers.Select(s => ParseServer(s)).ToArray());
        options.UseCache = true;
        options.Timeout = TimeSpan.FromSeconds(5);
        options.Retries = 2;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;
        _client = new LookupClient(options);
    }

    private static IPEndPoint ParseServer(string s)
    {
        var h = GatewayHost.Parse(s, 53);
        return new IPEndPoint(IPAddress.Parse(h.Host), h.Port);
    }

    public async Task<MxResult> ResolveAsync(string domain, CancellationToken ct)
    {
        try
        {
            var mx = await _client.QueryAsync(domain, QueryType.MX, cancellationToken: ct).ConfigureAwait(false);
            if (mx.HasError)
            {
                return mx.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain
                    ? new MxResult([], $"domain {domain} does not exist", true)
                    : new MxResult([], $"DNS error for {domain}: {mx.ErrorMessage}", false);
            }
            var records = mx.Answers.MxRecords().OrderBy(r => r.Preference).ToList();
            if (records.Count == 1 && records[0].Exchange.Value.TrimEnd('.').Length == 0)
                return new MxResult([], $"{domain} accepts no mail (null MX, RFC 7505)", true);
            if (records.Count > 0) return new MxResult(records.Select(r => r.Exchange.Value.TrimEnd('.')).ToList(), null, false);
            var a = await _client.QueryAsync(domain, QueryType.A, cancellationToken: ct).ConfigureAwait(false);
            var aaaa = await _client.QueryAsync(domain, QueryType.AAAA, cancellationToken: ct).ConfigureAwait(false);
            if (a.Answers.ARecords().Any() || aaaa.Answers.AaaaRecords().Any()) return new MxResult([domain], null, false);
            if (a.HasError && a.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
                return new MxResult([], $"DNS error for {domain}: {a.ErrorMessage}", false);
            return new MxResult([], $"{domain} has neither MX nor address records", true);
        }
        catch (DnsResponseException e)
        {
            return new MxResult([], $"DNS lookup for {domain} failed: {e.Message}", false);
        }
    }
}
