using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace JdMail.Host;

/// <summary>
/// Loads <c>config/hocon/jdmail.conf</c> (shipped beside the executable) and lays an optional administrator file
/// over it: every key the file names wins, every other key keeps its default.
/// </summary>
public static class HoconLoader
{
    public static string DefaultsPath => Path.Combine(AppContext.BaseDirectory, "config", "hocon", "jdmail.conf");

    public static Config Load(string? overrideFile) => Load(overrideFile, out _);

    /// <param name="unknownKeys">Keys under <c>jdmail</c> in the administrator's file that the defaults do not have
    /// (most likely misspelt; they would otherwise be ignored without a word).</param>
    public static Config Load(string? overrideFile, out IReadOnlyList<string> unknownKeys)
    {
        unknownKeys = [];
        if (!File.Exists(DefaultsPath)) throw new FileNotFoundException($"default configuration not found at {DefaultsPath}");
        var defaults = ConfigurationFactory.ParseString(File.ReadAllText(DefaultsPath));
        if (overrideFile is null) return defaults;
        if (!File.Exists(overrideFile)) throw new FileNotFoundException($"configuration file {overrideFile} not found");
        var admin = ConfigurationFactory.ParseString(File.ReadAllText(overrideFile));
        unknownKeys = LeafPaths(admin.Root, "").Where(p => p.StartsWith("jdmail.", StringComparison.Ordinal) && !defaults.HasPath(p)).ToList();
        return admin.WithFallback(defaults);
    }

    private static IEnumerable<string> LeafPaths(HoconValue value, string prefix)
    {
        if (!value.IsObject()) { if (prefix.Length > 0) yield return prefix; yield break; }
        foreach (var (key, child) in value.GetObject().Items)
            foreach (var p in LeafPaths(child, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                yield return p;
    }
}
