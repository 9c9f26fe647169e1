namespace JdMail.Actors.Settings;

/// <summary>The fixed MailRoot file names (XMail/JDMail layout) resolved against one root folder.</summary>
public sealed record MailRootPaths(string Root)
{
    public string ServerCert => Path.Combine(Root, "server.cert");
    public string ServerKey => Path.Combine(Root, "server.key");
    public string CertsPem => Path.Combine(Root, "certs.pem");
    public string CertsDir => Path.Combine(Root, "certs");
    public string SslConf => Path.Combine(Root, "sslconf");
    public string Domains => Path.Combine(Root, "domains");
    public string Spool => Path.Combine(Root, "spool");
    public string SpoolTemp => Path.Combine(Root, "spool", "tmp");
    public string SpoolQueue => Path.Combine(Root, "spool", "queue");
    public string EndpointsFile => Path.Combine(Root, "endpoints.tab");

    /// <summary><c>domains/&lt;domain&gt;/&lt;user&gt;/Maildir</c>. Callers pass names already validated and lower-cased.</summary>
    public string Maildir(string domain, string user) => Path.Combine(Domains, domain, user, "Maildir");

    public string ResolveJournal(string connectionString) =>
        Path.IsPathRooted(connectionString) ? connectionString : Path.Combine(Root, connectionString);
}
