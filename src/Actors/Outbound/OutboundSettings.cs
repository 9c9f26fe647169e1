using Akka.Configuration;

namespace JdMail.Actors.Outbound;

/// <summary>XMail <c>NeedTLS</c>: 0 never, 1 STARTTLS when the peer offers it, 2 STARTTLS required.</summary>
public enum NeedTls { Never = 0, WhenOffered = 1, Required = 2 }

/// <summary>How the peer's certificate is checked once TLS is up.</summary>
public enum TlsVerify { None, Ca, CaAndHostname }

/// <summary>
/// TLS policy for one destination (or the default): when to use TLS, how to verify, whom to trust, and an optional
/// client certificate (PEM files) to present.
/// </summary>
public sealed record OutboundTlsPolicy(NeedTls NeedTls, TlsVerify Verify, bool TrustMailRoot, bool TrustSystem,
    string? TrustFile, string? ClientCertFile, string? ClientKeyFile)
{
    public static readonly OutboundTlsPolicy Default = new(NeedTls.WhenOffered, TlsVerify.None, true, true, null, null, null);
}

/// <summary>One host of a gateway list (<c>host:port</c>; IPv6 as <c>[addr]:port</c>).</summary>
public sealed record GatewayHost(string Host, int Port)
{
    public static GatewayHost Parse(string text, int defaultPort = 25)
    {
        text = text.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0) throw new ConfigurationException($"gateway '{text}': unclosed '['");
            var host = text[1..close];
            var rest = text[(close + 1)..];
            return new GatewayHost(host, rest.StartsWith(':') ? ParsePort(rest[1..], text) : defaultPort);
        }
        var colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':') == colon)
            return new GatewayHost(text[..colon], ParsePort(text[(colon + 1)..], text));
        if (text.Length == 0) throw new ConfigurationException("gateway host is empty");
        return new GatewayHost(text, defaultPort);
    }

    private static int ParsePort(string p, string text) =>
        int.TryParse(p, out var port) && port is > 0 and <= 65535 ? port : throw new ConfigurationException($"gateway '{text}': bad port");

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// A configured route (XMail <c>smtpgw.tab</c> entry, or <c>DefaultSMTPGateways</c> when <see cref="Domain"/> is
/// "*"): the hosts tried in order, their TLS policy, implicit TLS (SMTPS) and the name expected in their certificate
/// (defaults to the host as written).
/// </summary>
public sealed record GatewayRoute(string Domain, IReadOnlyList<GatewayHost> Hosts, OutboundTlsPolicy Tls, bool ImplicitTls, string? TlsName);

/// <summary>Remote delivery settings (<c>jdmail.outbound</c>).</summary>
public sealed record OutboundSettings(bool Enabled, RetrySchedule Retry, int Concurrency, TimeSpan ConnectTimeout,
    TimeSpan CommandTimeout, TimeSpan DataTimeout, string? Helo, bool FreezeFailed, IReadOnlyList<string> DnsServers,
    OutboundTlsPolicy Tls, IReadOnlyList<GatewayRoute> Gateways)
{
    public static readonly OutboundSettings Default = new(true, RetrySchedule.XMail, 8, TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), null, true, [], OutboundTlsPolicy.Default, []);

    /// <summary>The configured route for <paramref name="domain"/>: its own entry, else the "*" entry, else null (MX lookup).</summary>
    public GatewayRoute? RouteFor(string domain) =>
        Gateways.FirstOrDefault(g => string.Equals(g.Domain, domain, StringComparison.OrdinalIgnoreCase))
        ?? Gateways.FirstOrDefault(g => g.Domain == "*");

    public static OutboundSettings Create(Config? c)
    {
        if (c is null || c.IsEmpty) return Default;
        var tls = ParsePolicy(c.GetConfig("tls"), OutboundTlsPolicy.Default, "jdmail.outbound.tls");
        var gateways = new List<GatewayRoute>();
        var i = 0;
        foreach (var value in c.GetValue("gateways")?.GetArray() ?? [])
        {
            var where = $"jdmail.outbound.gateways[{i++}]";
            var entry = new Config(new Akka.Configuration.Hocon.HoconRoot(value));
            var domain = entry.GetString("domain") ?? throw new ConfigurationException($"{where}.domain is missing");
            var hosts = (entry.GetStringList("hosts") ?? []).Select(h => GatewayHost.Parse(h)).ToList();
            if (hosts.Count == 0) throw new ConfigurationException($"{where}.hosts is empty");
            var name = entry.GetString("tls-name", "");
            gateways.Add(new GatewayRoute(domain.ToLowerInvariant(), hosts, ParsePolicy(entry, tls, where),
                entry.GetBoolean("implicit-tls", false), name.Length == 0 ? null : name));
        }
        var helo = c.GetString("helo", "");
        return new OutboundSettings(
            c.GetBoolean("enabled", true),
            new RetrySchedule(c.GetTimeSpan("first-retry", TimeSpan.FromSeconds(480)), c.GetInt("retry-ratio", 16), Math.Max(0, c.GetInt("max-retries", 32))),
            Math.Max(1, c.GetInt("concurrency", 8)),
            c.GetTimeSpan("connect-timeout", TimeSpan.FromSeconds(30)),
            c.GetTimeSpan("command-timeout", TimeSpan.FromMinutes(5)),
            c.GetTimeSpan("data-timeout", TimeSpan.FromMinutes(10)),
            helo.Length == 0 ? null : helo,
            c.GetBoolean("freeze-failed", true),
            (c.GetStringList("dns-servers") ?? []).ToList(),
            tls,
            gateways);
    }

    /// <summary>Reads the TLS keys present in <paramref name="c"/>; absent keys keep <paramref name="fallback"/>'s values.</summary>
    private static OutboundTlsPolicy ParsePolicy(Config? c, OutboundTlsPolicy fallback, string where)
    {
        if (c is null || c.IsEmpty) return fallback;
        var need = c.HasPath("need-tls") ? c.GetInt("need-tls") switch
        {
            0 => NeedTls.Never, 1 => NeedTls.WhenOffered, 2 => NeedTls.Required,
            var n => throw new ConfigurationException($"{where}.need-tls {n} is not 0, 1 or 2"),
        } : fallback.NeedTls;
        var verify = c.HasPath("verify") ? c.GetString("verify").ToLowerInvariant() switch
        {
            "none" => TlsVerify.None, "ca" => TlsVerify.Ca, "ca-hostname" => TlsVerify.CaAndHostname,
            var v => throw new ConfigurationException($"{where}.verify '{v}' is not none, ca or ca-hostname"),
        } : fallback.Verify;
        var trustMailRoot = fallback.TrustMailRoot;
        var trustSystem = fallback.TrustSystem;
        var trustFile = fallback.TrustFile;
        if (c.HasPath("trust"))
        {
            var list = (c.GetStringList("trust") ?? []).Select(t => t.ToLowerInvariant()).ToList();
            foreach (var t in list.Where(t => t is not ("mailroot" or "system" or "file")))
                throw new ConfigurationException($"{where}.trust '{t}' is not mailroot, system or file");
            trustMailRoot = list.Contains("mailroot");
            trustSystem = list.Contains("system");
            if (!list.Contains("file")) trustFile = null;
        }
        if (c.HasPath("trust-file") && c.GetString("trust-file").Length > 0) trustFile = c.GetString("trust-file");
        string? Opt(string key, string? old) => c.HasPath(key) ? (c.GetString(key).Length == 0 ? null : c.GetString(key)) : old;
        var certFile = Opt("client-cert-file", fallback.ClientCertFile);
        var keyFile = Opt("client-key-file", fallback.ClientKeyFile);
        if ((certFile is null) != (keyFile is null))
            throw new ConfigurationException($"{where}: client-cert-file and client-key-file go together");
        return new OutboundTlsPolicy(need, verify, trustMailRoot, trustSystem, trustFile, certFile, keyFile);
    }
}
