using System.Net;
using Akka.Configuration;

namespace JdMail.Actors.Settings;

/// <summary>Which protocol an endpoint speaks.</summary>
public enum Protocol { Smtp, Pop3, Ctrl }

/// <summary>How TLS is entered on an endpoint: never, on command (STARTTLS/STLS/#!TLS), or before the greeting.</summary>
public enum TlsMode { None, StartTls, Implicit }

/// <summary>One listening endpoint: protocol × address × port × TLS mode.</summary>
public sealed record EndpointSettings(string Name, Protocol Protocol, TlsMode Tls, IPAddress Address, int Port)
{
    public override string ToString() => $"{Name} {Protocol.ToString().ToLowerInvariant()} tls={Tls.ToString().ToLowerInvariant()} {Address}:{Port}";
}

/// <summary>The endpoints to open, built from <c>jdmail.listeners</c>.</summary>
public sealed record ListenerSettings(IReadOnlyList<EndpointSettings> Endpoints, int MaxConnections)
{
    // The six named listeners of product.md §3 and the TLS mode each one implies.
    private static readonly (string Key, Protocol Protocol, TlsMode Tls)[] Named =
    [
        ("smtp", Protocol.Smtp, TlsMode.StartTls), ("smtps", Protocol.Smtp, TlsMode.Implicit),
        ("pop3", Protocol.Pop3, TlsMode.StartTls), ("pop3s", Protocol.Pop3, TlsMode.Implicit),
        ("ctrl", Protocol.Ctrl, TlsMode.StartTls), ("ctrls", Protocol.Ctrl, TlsMode.Implicit),
    ];

    public static ListenerSettings Create(Config listeners)
    {
        var list = new List<EndpointSettings>();
        foreach (var (key, protocol, tls) in Named)
        {
            var c = listeners.GetConfig(key) ?? throw new ConfigurationException($"jdmail.listeners.{key} is missing");
            if (!c.GetBoolean("enabled", true)) continue;
            list.Add(new EndpointSettings(key, protocol, tls, ParseAddress(c.GetString("address"), key), ParsePort(c.GetInt("port"), key)));
        }
        var i = 0;
        foreach (var extra in listeners.GetValue("extra")?.GetArray() ?? [])
        {
            var o = extra.GetObject();
            string Field(string name) => o.GetKey(name)?.GetString() ?? throw new ConfigurationException($"jdmail.listeners.extra[{i}].{name} is missing");
            var protocol = Field("protocol").ToLowerInvariant() switch
            {
                "smtp" => Protocol.Smtp, "pop3" => Protocol.Pop3, "ctrl" => Protocol.Ctrl,
                var p => throw new ConfigurationException($"jdmail.listeners.extra[{i}].protocol '{p}' is not smtp, pop3 or ctrl"),
            };
            var tls = Field("tls").ToLowerInvariant() switch
            {
                "none" => TlsMode.None, "starttls" => TlsMode.StartTls, "implicit" => TlsMode.Implicit,
                var t => throw new ConfigurationException($"jdmail.listeners.extra[{i}].tls '{t}' is not none, starttls or implicit"),
            };
            var port = int.TryParse(Field("port"), out var p2) ? p2 : throw new ConfigurationException($"jdmail.listeners.extra[{i}].port is not a number");
            list.Add(new EndpointSettings($"extra{i}", protocol, tls, ParseAddress(Field("address"), $"extra[{i}]"), ParsePort(port, $"extra[{i}]")));
            i++;
        }
        return new ListenerSettings(list, (int)Check.Positive(listeners.GetInt("max-connections", 1000), "jdmail.listeners.max-connections"));
    }

    private static IPAddress ParseAddress(string? text, string key) =>
        IPAddress.TryParse(text, out var a) ? a : throw new ConfigurationException($"jdmail.listeners.{key}.address '{text}' is not an IP address");

    private static int ParsePort(int port, string key) =>
        port is >= 0 and <= 65535 ? port : throw new ConfigurationException($"jdmail.listeners.{key}.port {port} is out of range");
}

/// <summary>TLS settings shared by every listener (<c>jdmail.tls</c>).</summary>
public sealed record TlsSettings(System.Security.Authentication.SslProtocols Protocols, TimeSpan HandshakeTimeout,
    ClientCertificateSettings? ClientCertificates = null, IReadOnlyList<SniCertificate>? Sni = null)
{
    public ClientCertificateSettings ClientCerts => ClientCertificates ?? ClientCertificateSettings.Off;

    public static TlsSettings Create(Config c)
    {
        var protocols = c.GetString("min-version", "1.2") switch
        {
            "1.2" => System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            "1.3" => System.Security.Authentication.SslProtocols.Tls13,
            var v => throw new ConfigurationException($"jdmail.tls.min-version '{v}' must be \"1.2\" or \"1.3\""),
        };
        return new TlsSettings(protocols, Check.Positive(c.GetTimeSpan("handshake-timeout", TimeSpan.FromSeconds(15)), "jdmail.tls.handshake-timeout"),
            ClientCertificateSettings.Create(c.GetConfig("client-certificates")), SniCertificate.CreateList(c));
    }
}

/// <summary>SMTP receiver settings (<c>jdmail.smtp</c>).</summary>
public sealed record SmtpSettings(long MaxMessageSize, int MaxRecipients, int MaxLineLength, TimeSpan IdleTimeout,
    int MaxErrors, IReadOnlySet<string> AuthWithoutTls, bool EnableStartTls = true, bool WantTls = false,
    IReadOnlyList<string>? EaseTls = null)
{
    public static SmtpSettings Create(Config c) => new(
        Check.Positive(c.GetLong("max-message-size", 26214400), "jdmail.smtp.max-message-size"),
        (int)Check.Positive(c.GetInt("max-recipients", 100), "jdmail.smtp.max-recipients"),
        Math.Max(512, c.GetInt("max-line-length", 4096)),
        Check.Positive(c.GetTimeSpan("idle-timeout", TimeSpan.FromMinutes(5)), "jdmail.smtp.idle-timeout"),
        (int)Check.Positive(c.GetInt("max-errors", 10), "jdmail.smtp.max-errors"),
        new HashSet<string>((c.GetStringList("auth-without-tls") ?? []).Select(m => m.ToUpperInvariant())),
        c.GetBoolean("enable-starttls", true),
        c.GetBoolean("want-tls", false),
        (c.GetStringList("ease-tls") ?? []).ToList());

    /// <summary>XMail EaseTLS: WantTLS does not apply to clients from these addresses or networks ("10.0.0.0/8").</summary>
    public bool IsEased(System.Net.IPAddress client) => (EaseTls ?? []).Any(n => AddressMatch.Contains(n, client));
}

/// <summary>POP3 server settings (<c>jdmail.pop3</c>).</summary>
public sealed record Pop3Settings(TimeSpan IdleTimeout, int MaxLineLength, int MaxErrors, bool AuthWithoutTls, bool EnableStls = true)
{
    public static Pop3Settings Create(Config c) => new(
        Check.Positive(c.GetTimeSpan("idle-timeout", TimeSpan.FromMinutes(10)), "jdmail.pop3.idle-timeout"),
        Math.Max(255, c.GetInt("max-line-length", 1024)),
        (int)Check.Positive(c.GetInt("max-errors", 10), "jdmail.pop3.max-errors"),
        c.GetBoolean("auth-without-tls", false),
        c.GetBoolean("enable-stls", true));
}

/// <summary>CTRL admin protocol settings (<c>jdmail.ctrl</c>).</summary>
public sealed record CtrlSettings(bool EnableTls, bool AllowPlainLoginWithoutTls, TimeSpan IdleTimeout, int MaxLineLength,
    int MaxErrors, TimeSpan FailedLoginDelay, int MaxFailedLogins, TimeSpan FailedLoginWindow, int MaxUploadSize)
{
    public static CtrlSettings Create(Config? c)
    {
        c ??= Config.Empty;
        return new(
            c.GetBoolean("enable-tls", true),
            c.GetBoolean("allow-plain-login-without-tls", false),
            c.GetTimeSpan("idle-timeout", TimeSpan.FromSeconds(120)),
            Math.Max(512, c.GetInt("max-line-length", 4096)),
            c.GetInt("max-errors", 10),
            c.GetTimeSpan("failed-login-delay", TimeSpan.FromSeconds(1)),
            c.GetInt("max-failed-logins", 5),
            c.GetTimeSpan("failed-login-window", TimeSpan.FromMinutes(10)),
            c.GetInt("max-upload-size", 1024 * 1024));
    }
}

/// <summary>First-start material (<c>jdmail.bootstrap</c>).</summary>
public sealed record BootstrapSettings(string KeyType, int CaDays, int ServerDays, IReadOnlyList<string> ServerNames,
    string Organization, string Domain, string CtrlUser, string CtrlPassword, IReadOnlyList<(string Address, string Password)> Users)
{
    public static BootstrapSettings Create(Config c)
    {
        var users = new List<(string, string)>();
        foreach (var entry in c.GetStringList("users") ?? [])
        {
            // "user@domain:password": the password may itself contain ':', so split at the first one only.
            var colon = entry.IndexOf(':');
            if (colon <= 0 || !entry[..colon].Contains('@'))
                throw new ConfigurationException($"jdmail.bootstrap.users entry '{entry.Split(':')[0]}' is not user@domain:password");
            users.Add((entry[..colon], entry[(colon + 1)..]));
        }
        return new BootstrapSettings(
            c.GetString("key-type", "ec256"), c.GetInt("ca-days", 10000), c.GetInt("server-days", 397),
            (c.GetStringList("server-names") ?? []).ToList(), c.GetString("organization", "JdMail"),
            c.GetString("domain", "example.test").ToLowerInvariant(), c.GetString("ctrl-user", "admin"),
            c.GetString("ctrl-password", ""), users);
    }
}

/// <summary>Everything under <c>jdmail</c>, typed. Built once at start-up and passed into Props.</summary>
public sealed record JdMailSettings(string MailRoot, string HostName, ListenerSettings Listeners, TlsSettings Tls,
    SmtpSettings Smtp, Pop3Settings Pop3, int Pbkdf2Iterations, BootstrapSettings Bootstrap,
    string PersistenceProvider, string ConnectionString)
{
    /// <summary>CTRL settings; a separate property so the positional record keeps its shape for other callers.</summary>
    public CtrlSettings Ctrl { get; init; } = CtrlSettings.Create(null);
    /// <summary>Remote delivery (<c>jdmail.outbound</c>); an init property so existing constructor calls stay valid.</summary>
    public JdMail.Actors.Outbound.OutboundSettings Outbound { get; init; } = JdMail.Actors.Outbound.OutboundSettings.Default;

    /// <summary>Brakes on password guessing for SMTP and POP3; an init property so the positional record keeps its shape.</summary>
    public LoginPolicy MailLogins { get; init; } = LoginPolicy.Default;

    public static JdMailSettings Create(Config root, string? mailRootOverride = null)
    {
        var c = root.GetConfig("jdmail") ?? throw new ConfigurationException("the jdmail section is missing");
        var mailRoot = Path.GetFullPath(mailRootOverride ?? c.GetString("mailroot", "./mailroot"));
        return new JdMailSettings(
            mailRoot,
            c.GetString("hostname", "localhost"),
            ListenerSettings.Create(c.GetConfig("listeners")),
            TlsSettings.Create(c.GetConfig("tls")),
            SmtpSettings.Create(c.GetConfig("smtp")),
            Pop3Settings.Create(c.GetConfig("pop3")),
            Check.AtLeast(c.GetInt("security.pbkdf2-iterations", 210000), 1000, "jdmail.security.pbkdf2-iterations"),
            BootstrapSettings.Create(c.GetConfig("bootstrap")),
            c.GetString("persistence.provider", "sqlite").ToLowerInvariant(),
            c.GetString("persistence.connection-string", "jdmail.db"))
        {
            Ctrl = CtrlSettings.Create(c.GetConfig("ctrl")),
            MailLogins = LoginPolicy.Create(c.GetConfig("security")),
            Outbound = JdMail.Actors.Outbound.OutboundSettings.Create(c.GetConfig("outbound")),
        };
    }
}

/// <summary>Range checks for settings: a value that cannot work stops the start with a message naming the key.</summary>
public static class Check
{
    public static long Positive(long value, string key) =>
        value > 0 ? value : throw new ConfigurationException($"{key} must be greater than 0 (it is {value})");

    public static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ConfigurationException($"{key} must be a positive duration (it is {value})");

    public static int AtLeast(int value, int minimum, string key) =>
        value >= minimum ? value : throw new ConfigurationException($"{key} must be at least {minimum} (it is {value})");
}
