using Akka.Configuration;

namespace JdMail.Actors.Diagnostics;

/// <summary>
/// Settings of the diagnostics (<c>jdmail.diagnostics</c>), plus the one switch they read from a section that has no
/// typed record in every build: <c>jdmail.ctrl.enable-tls</c> (XMail EnableCTRL-TLS).
/// </summary>
/// <param name="ProbeTimeout">Longest time one self-probe connection (connect, greeting, upgrade, handshake) may take.</param>
/// <param name="CtrlTlsEnabled">Whether <c>#!TLS</c> is accepted on the ctrl endpoints.</param>
public sealed record DiagnosticsSettings(TimeSpan ProbeTimeout, bool CtrlTlsEnabled)
{
    public static DiagnosticsSettings Default { get; } = new(TimeSpan.FromSeconds(10), true);

    /// <summary>From the root configuration (the one holding <c>jdmail</c>).</summary>
    public static DiagnosticsSettings Create(Config? root)
    {
        if (root is null || root.IsEmpty) return Default;
        var timeout = root.GetTimeSpan("jdmail.diagnostics.probe-timeout", Default.ProbeTimeout);
        if (timeout <= TimeSpan.Zero) throw new ConfigurationException("jdmail.diagnostics.probe-timeout must be positive");
        return new DiagnosticsSettings(timeout, root.GetBoolean("jdmail.ctrl.enable-tls", true));
    }
}
