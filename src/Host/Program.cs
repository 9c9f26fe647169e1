using System.CommandLine;
using JdMail.Host.Ctrl;
using Microsoft.Extensions.Hosting;

namespace JdMail.Host;

/// <summary>The <c>jdmail</c> command: <c>serve</c> runs the server, <c>ctrl</c> runs one CTRL admin command.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var mailRoot = new Option<string?>("--mailroot") { Description = "MailRoot folder (default: jdmail.mailroot, ./mailroot)" };
        var config = new Option<string?>("--config") { Description = "HOCON file whose keys override config/hocon/jdmail.conf" };
        var serve = new Command("serve", "Run the JdMail server until SIGTERM or Ctrl+C") { mailRoot, config };
        serve.SetAction(async (parse, cancel) =>
        {
            IHost host;
            try
            {
                host = JdMailHost.Build(parse.GetValue(mailRoot), parse.GetValue(config));
            }
            catch (Exception e) when (e is IOException or Akka.Configuration.ConfigurationException or InvalidOperationException or JdMail.Pki.PkiException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"jdmail: cannot start: {e.Message}");
                return 2;
            }
            await host.RunAsync(cancel);
            return 0;
        });
        var root = new RootCommand("JdMail: mail server with an embedded certificate authority") { serve, CtrlVerb.Create() };
        return await root.Parse(args).InvokeAsync();
    }
}
