using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using JdMail.Actors.Ca;
using JdMail.Actors.Diagnostics;
using JdMail.Actors.Directory;
using JdMail.Actors.Server;
using JdMail.Actors.Settings;
using JdMail.Actors.Tls;
using LinqToDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JdMail.Host;

/// <summary>Builds the JdMail server host: configuration, first start, persistence, and the actor tree.</summary>
public static class JdMailHost
{
    public static IHost Build(string? mailRoot, string? configFile, Action<string>? log = null, string overrides = "")
    {
        log ??= Console.WriteLine;
        var config = HoconLoader.Load(configFile, out var unknownKeys);
        foreach (var key in unknownKeys) log($"warning: {configFile} sets {key}, which JdMail does not know (misspelt?); it is ignored");
        // Command-line switches win over every file.
        if (overrides.Length > 0) config = Akka.Configuration.ConfigurationFactory.ParseString(overrides).WithFallback(config);
        var settings = JdMailSettings.Create(config, mailRoot);
        var paths = new MailRootPaths(settings.MailRoot);
        System.IO.Directory.CreateDirectory(settings.MailRoot);
        var mailRootLock = MailRootLock.Acquire(settings.MailRoot);
        ProtectJournal(settings, paths);

        var caSettings = CaSettings.Create(config.GetConfig("jdmail.ca"));
        var diagnostics = DiagnosticsSettings.Create(config);
        var first = FirstStartPki.Ensure(settings, DateTime.UtcNow, caSettings.Passphrase);
        if (first.CaCreated) log($"first start: private CA created: {first.CaSubject}");
        if (first.ServerCertificateIssued) log($"first start: server certificate issued and installed: {first.ServerSubject}");
        log($"trust this CA in mail clients: {paths.CertsPem}");

        ApplyBootstrap Bootstrap() => BootstrapCommand(settings);
        var tls = new TlsContext(paths, settings.Tls);
        // Load server.cert/server.key now, so a file broken later never leaves the server without a last good pair.
        if (tls.Current is null) log($"warning: no usable server certificate yet: {tls.LastError}");

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        // Held with the host and released when it is disposed (a factory registration, so the container owns it;
        // registered before Akka so it is stopped after it): one server per MailRoot.
        builder.Services.AddSingleton<IHostedService>(_ => mailRootLock);
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("jdmail", (akka, _) =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend);
            ConfigurePersistence(akka, settings, paths);
            akka.WithActors((system, registry) =>
            {
                var server = system.ActorOf(ServerActor.Props(settings, tls, Bootstrap, caSettings,
                    ca => registry.Register<CertificateAuthorityActor>(ca),
                    diagnostics, diag => registry.Register<DiagnosticsActor>(diag)), "server");
                registry.Register<ServerActor>(server);
            });
        });
        return builder.Build();
    }

    private static void ConfigurePersistence(AkkaConfigurationBuilder akka, JdMailSettings settings, MailRootPaths paths)
    {
        switch (settings.PersistenceProvider)
        {
            case "sqlite":
                akka.WithSqlPersistence(connectionString: $"Data Source={paths.ResolveJournal(settings.ConnectionString)}",
                    providerName: ProviderName.SQLiteMS, autoInitialize: true);
                break;
            case "postgresql":
                akka.WithSqlPersistence(connectionString: settings.ConnectionString, providerName: ProviderName.PostgreSQL15,
                    databaseMapping: DatabaseMapping.PostgreSql, autoInitialize: true);
                break;
            default:
                throw new ConfigurationException($"jdmail.persistence.provider '{settings.PersistenceProvider}' is not sqlite or postgresql");
        }
    }

    /// <summary>
    /// The SQLite journal holds every password hash: it is created 0600 (SQLite gives its side files the same mode)
    /// and an existing one is narrowed to 0600.
    /// </summary>
    private static void ProtectJournal(JdMailSettings settings, MailRootPaths paths)
    {
        if (settings.PersistenceProvider != "sqlite" || OperatingSystem.IsWindows()) return;
        var db = paths.ResolveJournal(settings.ConnectionString);
        if (!File.Exists(db))
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(db)!);
            using (new FileStream(db, JdMail.Actors.Spool.Durable.CreateNewOptions(JdMail.Actors.Spool.Durable.PrivateFile, 1))) { }
        }
        else File.SetUnixFileMode(db, JdMail.Actors.Spool.Durable.PrivateFile);
    }

    /// <summary>The first-start accounts, with passwords hashed here so no clear password reaches the journal.</summary>
    private static ApplyBootstrap BootstrapCommand(JdMailSettings settings)
    {
        var b = settings.Bootstrap;
        var it = settings.Pbkdf2Iterations;
        return new ApplyBootstrap(b.Domain, b.CtrlUser,
            b.CtrlPassword.Length > 0 ? PasswordHasher.Hash(b.CtrlPassword, it) : null,
            b.Users.Select(u => (u.Address, PasswordHasher.Hash(u.Password, it))).ToList(),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>Asks the running server for its endpoints (waits until every endpoint has bound or failed).</summary>
    public static Task<ServerEndpoints> EndpointsAsync(IHost host, TimeSpan timeout)
    {
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        return registry.Get<ServerActor>().Ask<ServerEndpoints>(new GetEndpoints(), timeout);
    }
}
