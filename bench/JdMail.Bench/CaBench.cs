using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using JdMail.Actors.Ca;
using JdMail.Host;
using JdMail.Pki;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Org.BouncyCastle.Security;

namespace JdMail.Bench;

/// <summary>The CA figures: issuance through the actor (with its SQLite journal), raw BouncyCastle, CRL build.</summary>
public static class CaBench
{
    /// <summary>
    /// Starts the real JdMail host (<see cref="JdMailHost.Build"/>: first-start CA, SQLite journal in the MailRoot,
    /// the actor tree) with every listener off, then asks the CertificateAuthorityActor for <c>--count</c> CA-signed
    /// server certificates of key type <c>--key</c>, one after the other (the actor runs one mutating command at a
    /// time anyway). Each issuance = key generation, signing, files written and fsync'd, events journaled, reply.
    /// </summary>
    public static async Task<int> RunActor(Options o)
    {
        var key = o.Str("key", "ec256");
        var count = o.Int("count", 100);
        var maxSeconds = o.Double("max-seconds", 30);
        var root = o.Str("mailroot");
        Directory.CreateDirectory(root);
        var conf = Path.Combine(root, "..", "ca-bench.conf");
        await File.WriteAllTextAsync(conf, """
            jdmail.listeners { smtp.enabled = false, smtps.enabled = false, pop3.enabled = false, pop3s.enabled = false, ctrl.enabled = false, ctrls.enabled = false }
            jdmail.outbound.enabled = false
            akka.loglevel = WARNING
            """);
        using var host = JdMailHost.Build(root, conf, log: _ => { });
        await host.StartAsync();
        try
        {
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            var ca = await registry.GetAsync<CertificateAuthorityActor>();
            var timeout = TimeSpan.FromSeconds(60);
            // The first-start CA is adopted by the actor just after its recovery: wait for it (at most 30 s).
            var waited = Stopwatch.StartNew();
            while (await ca.Ask<object>(new GetCaStatus(), timeout) is CaStatusResult { CurrentCaId: null })
            {
                if (waited.Elapsed.TotalSeconds > 30) throw new InvalidOperationException("the first-start CA was not adopted");
                await Task.Delay(100);
            }
            // Warm-up issuances (JIT, journal tables, first fsync of the folder), not counted.
            for (var w = 0; w < 3; w++) await Issue(ca, key, $"warmup{w}", timeout);
            var sw = Stopwatch.StartNew();
            var done = 0;
            while (done < count && sw.Elapsed.TotalSeconds < maxSeconds)
            {
                await Issue(ca, key, $"h{done}", timeout);
                done++;
            }
            var seconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant(
                $"key={key} issued={done} seconds={seconds:F3} rate={done / seconds:F2} ms_each={seconds * 1000 / done:F2}"));
        }
        finally
        {
            await host.StopAsync();
        }
        return 0;
    }

    private static async Task Issue(IActorRef ca, string key, string name, TimeSpan timeout)
    {
        var form = new CertificateForm(CommonName: $"{name}.bench.test", Organization: "JdMail bench", KeyType: key, Days: 397);
        var reply = await ca.Ask<object>(new IssueServerCertificate(form), timeout);
        if (reply is not CertificateIssuedResult) throw new InvalidOperationException($"CA refused: {reply}");
    }

    /// <summary>
    /// The same work without the actor, files or journal: <c>issue</c> = key generation + CA-signed server
    /// certificate (JdMail.Pki), <c>sign</c> = signing only (one subject key reused), for <c>--seconds</c> each.
    /// The CA key is ec256, as JdMail's first-start CA.
    /// </summary>
    public static int RunRaw(Options o)
    {
        var key = KeySpec.Parse(o.Str("key", "ec256"));
        var seconds = o.Double("seconds", 5);
        var random = new SecureRandom();
        var caKey = KeyMaterial.Generate(KeySpec.Ec256, random);
        var caCert = Certificates.CreateCa(new SubjectFields(Organization: "JdMail bench", CommonName: "Bench CA"), caKey, 3650, DateTime.UtcNow);
        var subject = new SubjectFields(Organization: "JdMail bench", CommonName: "h.bench.test");
        var names = new[] { "h.bench.test" };
        var reused = KeyMaterial.Generate(key, random);

        double Rate(Action once)
        {
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < Math.Min(1, seconds / 2)) once(); // warm-up (tiered JIT)
            var n = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds) { once(); n++; }
            return n / sw.Elapsed.TotalSeconds;
        }

        var issue = Rate(() =>
        {
            var pair = KeyMaterial.Generate(key, random);
            Certificates.IssueServer(caCert, caKey.Private, subject, names, pair.Public, 397, DateTime.UtcNow).GetEncoded();
        });
        var keygen = Rate(() => KeyMaterial.Generate(key, random));
        var sign = Rate(() => Certificates.IssueServer(caCert, caKey.Private, subject, names, reused.Public, 397, DateTime.UtcNow).GetEncoded());
        Console.WriteLine(FormattableString.Invariant(
            $"key={key.Name} issue_rate={issue:F2} keygen_rate={keygen:F2} sign_rate={sign:F1}"));
        return 0;
    }

    /// <summary>CRL build (<see cref="Crls.Create"/> plus DER encoding) with <c>--entries</c> revoked serials
    /// (random 127-bit serials, reason keyCompromise), signed by an ec256 CA. Prints the best of <c>--repeat</c>.</summary>
    public static int RunCrl(Options o)
    {
        var entries = o.Int("entries");
        var repeat = o.Int("repeat", 3);
        var random = new SecureRandom();
        var caKey = KeyMaterial.Generate(KeySpec.Ec256, random);
        var caCert = Certificates.CreateCa(new SubjectFields(Organization: "JdMail bench", CommonName: "Bench CA"), caKey, 3650, DateTime.UtcNow);
        var now = DateTime.UtcNow;
        var revoked = Enumerable.Range(0, entries)
            .Select(i => new RevokedEntry(Certificates.NewSerial(random), now.AddSeconds(-i), RevocationReason.KeyCompromise))
            .ToList();
        // Warm-up on a small list (JIT).
        Crls.Create(caCert, caKey.Private, revoked.Take(100), Org.BouncyCastle.Math.BigInteger.One, now, now.AddDays(7)).GetEncoded();
        var times = new List<double>();
        var size = 0;
        for (var r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            var crl = Crls.Create(caCert, caKey.Private, revoked, Org.BouncyCastle.Math.BigInteger.ValueOf(r + 2), now, now.AddDays(7));
            size = crl.GetEncoded().Length;
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        if (o.Str("out", "") is { Length: > 0 } outFile)
        {
            File.WriteAllText(outFile, PemCodec.ToPem(Crls.Create(caCert, caKey.Private, revoked,
                Org.BouncyCastle.Math.BigInteger.ValueOf(99), now, now.AddDays(7))));
        }
        Console.WriteLine(FormattableString.Invariant(
            $"entries={entries} best_ms={times.Min():F1} median_ms={times.OrderBy(t => t).ElementAt(times.Count / 2):F1} der_bytes={size}"));
        return 0;
    }
}
