using JdMail.Actors.Sasl;
using System.Net;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Ctrl;

/// <summary>
/// Who may use CTRL, shared by every CTRL session of one server: the <c>ctrl.ipmap.tab</c> allow/deny list in the
/// MailRoot (re-read when it changes, like XMail, which reads it on each connection) and the failed-login throttle.
/// </summary>
public sealed class CtrlAccessGuard
{
    public const string IpMapFileName = "ctrl.ipmap.tab";

    private readonly string _ipMapPath;
    private readonly object _gate = new();
    private (DateTime, long) _stamp = (DateTime.MinValue, -2);
    private CtrlIpMap _map = CtrlIpMap.AllowAll;
    private static readonly CtrlIpMap DenyAll = CtrlIpMap.Parse("\"0.0.0.0/0\"\t\"DENY\"\t\"0\"\n\"::/0\"\t\"DENY\"\t\"0\"");

    public CtrlAccessGuard(string mailRoot, CtrlSettings settings, Func<DateTime>? clock = null)
    {
        _ipMapPath = Path.Combine(mailRoot, IpMapFileName);
        Throttle = new LoginThrottle(settings.MaxFailedLogins, settings.FailedLoginWindow, clock);
    }

    public LoginThrottle Throttle { get; }

    /// <summary>Problems found in the allow/deny file at its last reading, for the log.</summary>
    public IReadOnlyList<string> IpMapProblems => _map.Problems;

    /// <summary>
    /// Whether <paramref name="address"/> may connect. Does file I/O: call it off the actor thread. A file that exists
    /// but cannot be read denies everyone (fail closed) until it is fixed.
    /// </summary>
    public bool IsAllowed(IPAddress address)
    {
        var file = new FileInfo(_ipMapPath);
        var stamp = file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1L);
        CtrlIpMap map;
        lock (_gate)
        {
            if (stamp != _stamp)
            {
                try
                {
                    _map = file.Exists ? CtrlIpMap.Parse(File.ReadAllText(_ipMapPath)) : CtrlIpMap.AllowAll;
                    _stamp = stamp;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Stamp left unchanged: the next connection tries again.
                    _map = DenyAll;
                }
            }
            map = _map;
        }
        return map.Allows(address);
    }
}
