using System.Text;
using JdMail.Actors.Mailbox;

namespace JdMail.Actors.Tests.Pop3;

public sealed class MaildirReaderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "jdmail-maildir-" + Guid.NewGuid().ToString("N"));
    private string Maildir => Path.Combine(_root, "Maildir");

    public MaildirReaderTests() => global::JdMail.Actors.Mailbox.Maildir.EnsureFolders(Maildir);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(_root, recursive: true); } catch (IOException) { /* best effort */ }
    }

    private string Put(string sub, string name, string content)
    {
        var path = Path.Combine(Maildir, sub, name);
        File.WriteAllText(path, content, Encoding.ASCII);
        return path;
    }

    [Fact]
    public void Messages_are_numbered_in_name_order_across_new_and_cur()
    {
        Put("new", "1700000003.c_0.host,S=3", "ccc");
        Put("cur", "1700000001.a_0.host,S=1:2,S", "a");
        Put("new", "1700000002.b_0.host,S=2", "bb");

        var box = MaildirReader.Load(Maildir);

        Assert.Equal(["1700000001.a_0.host", "1700000002.b_0.host", "1700000003.c_0.host"], box.Messages.Select(m => m.Uid));
        Assert.Equal([1, 2, 3], box.Messages.Select(m => m.Number));
        Assert.Equal(3, box.Count);
        Assert.Equal(6, box.Octets);
    }

    [Fact]
    public void Sizes_come_from_the_s_field_and_otherwise_from_the_file_length()
    {
        Put("new", "a,S=999", "short");
        Put("new", "b", "twelve bytes");
        Put("cur", "c:2,", "1234");

        var sizes = MaildirReader.Load(Maildir).Messages.ToDictionary(m => m.Uid, m => m.Size);

        Assert.Equal(999, sizes["a"]);
        Assert.Equal(12, sizes["b"]);
        Assert.Equal(4, sizes["c"]);
    }

    [Fact]
    public void A_delivered_message_is_listed_with_its_exact_size()
    {
        var source = Path.Combine(_root, "spooled");
        File.WriteAllText(source, "HEADERSSubject: hi\r\n\r\nbody\r\n");
        global::JdMail.Actors.Mailbox.Maildir.Deliver(Maildir, "1700000000.abc_0.mail.test", source, 7);

        var m = Assert.Single(MaildirReader.Load(Maildir).Messages);

        Assert.Equal("1700000000.abc_0.mail.test", m.Uid);
        Assert.Equal(new FileInfo(m.Path).Length, m.Size);
        Assert.Equal(21, m.Size);
    }

    [Fact]
    public void Uids_are_stable_across_loads_and_a_move_from_new_to_cur()
    {
        var path = Put("new", "1700000001.x_0.host,S=4", "abcd");
        Put("new", "1700000002.y_0.host,S=4", "efgh");
        var before = MaildirReader.Load(Maildir).Messages.Select(m => (m.Number, m.Uid)).ToList();

        File.Move(path, Path.Combine(Maildir, "cur", "1700000001.x_0.host,S=4:2,S"));
        var after = MaildirReader.Load(Maildir).Messages.Select(m => (m.Number, m.Uid)).ToList();

        Assert.Equal(before, after);
    }

    [Fact]
    public void Hidden_files_and_tmp_are_not_messages()
    {
        Put("new", ".partial", "x");
        Put("tmp", "in-progress", "x");
        Put("new", "real,S=1", "x");

        Assert.Equal(["real"], MaildirReader.Load(Maildir).Messages.Select(m => m.Uid));
    }

    [Fact]
    public void A_missing_maildir_is_an_empty_mailbox()
    {
        var box = MaildirReader.Load(Path.Combine(_root, "nobody", "Maildir"));
        Assert.Empty(box.Messages);
        Assert.Equal(0, box.Octets);
    }

    [Fact]
    public void A_name_unusable_as_a_uid_gets_a_stable_digest()
    {
        Put("new", "has space", "x");
        var first = MaildirReader.Load(Maildir).Messages.Single().Uid;

        Assert.Matches("^[0-9a-f]{40}$", first);
        Assert.Equal(first, MaildirReader.Load(Maildir).Messages.Single().Uid);
    }

    [Theory]
    [InlineData("base,S=12", "base", 12L)]
    [InlineData("base,S=12,W=14:2,S", "base", 12L)]
    [InlineData("base:2,", "base", null)]
    [InlineData("base,S=x", "base", null)]
    [InlineData("plain", "plain", null)]
    public void Names_split_into_base_and_size(string name, string baseName, long? size) =>
        Assert.Equal((baseName, size), MaildirReader.ParseName(name));

    [Fact]
    public void Open_reads_the_stored_bytes()
    {
        Put("new", "m,S=5", "hello");
        using var stream = MaildirReader.Open(MaildirReader.Load(Maildir).Messages.Single());
        using var reader = new StreamReader(stream);
        Assert.Equal("hello", reader.ReadToEnd());
    }

    [Fact]
    public void Delete_removes_files_and_counts_an_already_missing_one_as_removed()
    {
        Put("new", "a,S=1", "a");
        Put("cur", "b,S=1:2,", "b");
        Put("new", "c,S=1", "c");
        var box = MaildirReader.Load(Maildir);
        File.Delete(box.Messages[1].Path);

        var result = MaildirReader.Delete([box.Messages[0], box.Messages[1]]);

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Removed);
        Assert.Equal(["c"], MaildirReader.Load(Maildir).Messages.Select(m => m.Uid));
    }
}

public class MailboxSnapshotTests
{
    private static MailboxSnapshot Box() => new("/nowhere",
        [new MaildirMessage(1, "a", 10, "/nowhere/a"), new MaildirMessage(2, "b", 20, "/nowhere/b"), new MaildirMessage(3, "c", 30, "/nowhere/c")]);

    [Fact]
    public void Deleted_messages_leave_the_counts_and_listings_but_keep_their_numbers()
    {
        var box = Box();
        Assert.True(box.MarkDeleted(2));

        Assert.Equal(2, box.Count);
        Assert.Equal(40, box.Octets);
        Assert.Equal([1, 3], box.Visible.Select(m => m.Number));
        Assert.Equal(MailboxSnapshot.Lookup.Deleted, box.Find(2, out _));
        Assert.Equal(MailboxSnapshot.Lookup.Found, box.Find(3, out var third));
        Assert.Equal("c", third!.Uid);
        Assert.Equal(["b"], box.MarkedForDeletion.Select(m => m.Uid));
    }

    [Fact]
    public void Marking_twice_or_out_of_range_fails()
    {
        var box = Box();
        Assert.True(box.MarkDeleted(1));
        Assert.False(box.MarkDeleted(1));
        Assert.False(box.MarkDeleted(0));
        Assert.False(box.MarkDeleted(4));
        Assert.Equal(MailboxSnapshot.Lookup.NoSuchMessage, box.Find(0, out _));
        Assert.Equal(MailboxSnapshot.Lookup.NoSuchMessage, box.Find(long.MaxValue, out _));
    }

    [Fact]
    public void Reset_unmarks_every_message()
    {
        var box = Box();
        box.MarkDeleted(1);
        box.MarkDeleted(3);
        box.ResetMarks();

        Assert.Equal(3, box.Count);
        Assert.Empty(box.MarkedForDeletion);
    }
}

public class MailboxLockRegistryTests
{
    [Fact]
    public void A_second_lease_on_the_same_mailbox_is_refused_until_the_first_is_released()
    {
        var registry = new MailboxLockRegistry();
        var first = registry.TryAcquire("/mail/a/Maildir");
        Assert.NotNull(first);
        Assert.Null(registry.TryAcquire("/mail/a/../a/Maildir"));
        Assert.NotNull(registry.TryAcquire("/mail/b/Maildir"));

        first.Dispose();
        Assert.False(registry.IsHeld("/mail/a/Maildir"));
        Assert.NotNull(registry.TryAcquire("/mail/a/Maildir"));
    }

    [Fact]
    public void Releasing_a_lease_twice_does_not_release_a_later_holder()
    {
        var registry = new MailboxLockRegistry();
        var first = registry.TryAcquire("/mail/a/Maildir")!;
        first.Dispose();
        var second = registry.TryAcquire("/mail/a/Maildir");
        Assert.NotNull(second);

        first.Dispose();
        Assert.True(registry.IsHeld("/mail/a/Maildir"));
    }
}
