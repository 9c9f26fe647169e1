namespace JdMail.Actors.Spool;

/// <summary>
/// One message being received: the envelope and then the DATA bytes go to <c>spool/tmp</c>; <see cref="Commit"/>
/// fsyncs the file, renames it into <c>spool/queue</c> and fsyncs the folder. Only after that may the server say 250.
/// </summary>
public sealed class SpoolWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly string _tempPath;
    private readonly string _queuePath;
    private bool _done;

    public SpoolWriter(string spoolTemp, string spoolQueue, SpoolEnvelope envelope, byte[] receivedHeader)
    {
        System.IO.Directory.CreateDirectory(spoolTemp);
        System.IO.Directory.CreateDirectory(spoolQueue);
        _tempPath = Path.Combine(spoolTemp, envelope.Id + ".tmp");
        _queuePath = Path.Combine(spoolQueue, envelope.Id + ".msg");
        _file = new FileStream(_tempPath, Durable.CreateNewOptions(Durable.PrivateFile, 64 * 1024));
        _file.Write(envelope.Serialize());
        _file.Write(receivedHeader);
    }

    /// <summary>Message bytes written so far, our Received: line excluded.</summary>
    public long MessageBytes { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        _file.Write(data);
        MessageBytes += data.Length;
    }

    /// <summary>Makes the message durable and visible to delivery; returns the queue path. Blocking: run off the actor thread.</summary>
    public string Commit()
    {
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        Durable.Move(_tempPath, _queuePath);
        _done = true;
        return _queuePath;
    }

    /// <summary>Discards a message that will not be acknowledged (too big, client gone).</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _file.Dispose();
        try { File.Delete(_tempPath); } catch { /* best effort */ }
    }
}
