using System.CommandLine;
using JdMail.Host.Ctrl;
using JdMail.Host.Diag;
using Microsoft.Extensions.Hosting;

namespace JdMail.Host;

/// <summary>
/// The <c>jdmail</c> command: <c>serve</c> runs the server, <c>ctrl</c> runs one CTRL admin command, <c>diag</c>
/// checks a MailRoot and its running server.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var mailRoot = new Option<string?>("--mailroot") { Description = "MailRoot folder (default: jdmail.mailroot, ./mailroot)" };
        var config = new Option<string?>("--config") { Description = "HOCON file whose keys override config/hocon/jdmail.conf" };
        // XMail start-up switches that switch off the implicit-TLS listeners.
        var noPop3s = new Option<bool>("--no-pop3s", "-B-") { Description = "Do not open the POP3S listener (XMail -B-)" };
        var noSmtps = new Option<bool>("--no-smtps", "-X-") { Description = "Do not open the SMTPS listener (XMail -X-)" };
        var noCtrls = new Option<bool>("--no-ctrls", "-W-") { Description = "Do not open the CTRLS listener (XMail -W-)" };
        var serve = new Command("serve", "Run the JdMail server until SIGTERM or Ctrl+C") { mailRoot, config, noPop3s, noSmtps, noCtrls };
        serve.SetAction(async (parse, cancel) =>
        {
            IHost host;
            try
            {
                var switches = new List<string>();
                if (parse.GetValue(noPop3s)) switches.Add("jdmail.listeners.pop3s.enabled = false");
                if (parse.GetValue(noSmtps)) switches.Add("jdmail.listeners.smtps.enabled = false");
                if (parse.GetValue(noCtrls)) switches.Add("jdmail.listeners.ctrls.enabled = false");
                host = JdMailHost.Build(parse.GetValue(mailRoot), parse.GetValue(config), overrides: string.Join("\n", switches));
            }
            catch (Exception e) when (e is IOException or Akka.Configuration.ConfigurationException or InvalidOperationException or JdMail.Pki.PkiException or UnauthorizedAccessException or FormatException or ArgumentException or OverflowException)
            {
                await Console.Error.WriteLineAsync($"jdmail: cannot start: {e.Message}");
                return 2;
            }
            await host.RunAsync(cancel);
            Console.WriteLine("jdmail: stopped");
            return Environment.ExitCode;
        });
        var root = new RootCommand("JdMail: mail server with an embedded certificate authority") { serve, CtrlVerb.Create(), DiagVerb.Create() };
        return await root.Parse(args).InvokeAsync();
    }
}
