using System.Text;
using JdMail.Actors.Mailbox;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Tests.Spool;

public sealed class SpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "jdmail-spool-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() { try { System.IO.Directory.Delete(_dir, true); } catch (IOException) { } }

    private static SpoolEnvelope Envelope(string id) => new(id, 1700000000, "127.0.0.1", "client.test", "alice@example.test",
        "TLSv1.3:TLS_AES_256_GCM_SHA384", "alice@example.test",
        [new SpoolRecipient("bob@example.test", "example.test", "bob"), new SpoolRecipient("carol@far.test", null, null)]);

    [Fact]
    public void A_committed_spool_file_reads_back_its_envelope_and_exact_message()
    {
        var w = new SpoolWriter(Path.Combine(_dir, "tmp"), Path.Combine(_dir, "queue"), Envelope("m1"), "Received: x\r\n"u8.ToArray());
        w.Write("body \u00e9\r\n"u8);
        var path = w.Commit();
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(_dir, "tmp")));
        var (env, offset) = SpoolEnvelope.Read(path);
        Assert.Equal(Envelope("m1") with { Recipients = env.Recipients }, env);
        Assert.Equal(Envelope("m1").Recipients, env.Recipients);
        Assert.Equal("Received: x\r\nbody \u00e9\r\n"u8.ToArray(), File.ReadAllBytes(path).AsSpan((int)offset).ToArray());
    }

    [Fact]
    public void An_abandoned_message_leaves_nothing_behind()
    {
        var w = new SpoolWriter(Path.Combine(_dir, "tmp"), Path.Combine(_dir, "queue"), Envelope("m2"), []);
        w.Write("partial"u8);
        w.Dispose();
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(_dir, "tmp")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(_dir, "queue")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Spool_and_key_files_are_private()
    {
        var w = new SpoolWriter(Path.Combine(_dir, "tmp"), Path.Combine(_dir, "queue"), Envelope("m3"), []);
        var path = w.Commit();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var key = Path.Combine(_dir, "k.pem");
        Durable.WriteAllText(key, "secret", Durable.PrivateFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    [Fact]
    public void Maildir_delivery_is_idempotent_for_the_same_spool_file()
    {
        var w = new SpoolWriter(Path.Combine(_dir, "tmp"), Path.Combine(_dir, "queue"), Envelope("m4"), []);
        w.Write("hello\r\n"u8);
        var path = w.Commit();
        var (_, offset) = SpoolEnvelope.Read(path);
        var maildir = Path.Combine(_dir, "Maildir");
        var first = Maildir.Deliver(maildir, "1700000000.m4_0.host", path, offset);
        Maildir.Deliver(maildir, "1700000000.m4_0.host", path, offset);
        var files = System.IO.Directory.GetFiles(Path.Combine(maildir, "new"));
        Assert.Single(files);
        Assert.EndsWith(",S=7", first);
        Assert.Equal("hello\r\n", Encoding.ASCII.GetString(File.ReadAllBytes(files[0])));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(maildir, "tmp")));
    }
}
