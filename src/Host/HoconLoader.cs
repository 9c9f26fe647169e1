using Akka.Configuration;

namespace JdMail.Host;

/// <summary>
/// Loads <c>config/hocon/jdmail.conf</c> (shipped beside the executable) and lays an optional administrator file
/// over it: every key the file names wins, every other key keeps its default.
/// </summary>
public static class HoconLoader
{
    public static string DefaultsPath => Path.Combine(AppContext.BaseDirectory, "config", "hocon", "jdmail.conf");

    public static Config Load(string? overrideFile)
    {
        if (!File.Exists(DefaultsPath)) throw new FileNotFoundException($"default configuration not found at {DefaultsPath}");
        var defaults = ConfigurationFactory.ParseString(File.ReadAllText(DefaultsPath));
        if (overrideFile is null) return defaults;
        if (!File.Exists(overrideFile)) throw new FileNotFoundException($"configuration file {overrideFile} not found");
        return ConfigurationFactory.ParseString(File.ReadAllText(overrideFile)).WithFallback(defaults);
    }
}
