namespace JdMail.Actors.Outbound;

// Message API of the outbound queue (actor path /user/server/outbound). The CTRL frozen commands map onto it:
//   frozlist   -> ListFrozen        -> FrozenListResult
//   frozsubmit -> SubmitFrozen(id)  -> FrozenCommandResult
//   frozdel    -> DeleteFrozen(id)  -> FrozenCommandResult
//   frozgetlog -> GetFrozenLog(id)  -> FrozenLogResult
//   frozgetmsg -> GetFrozenMessage(id) -> FrozenMessageResult
// XMail addresses a frozen file as (lev0, lev1, file); JdMail's frozen folder is flat, so lev0/lev1 are "0" and
// the file is the message id.

/// <summary>From the local delivery agent: <paramref name="Path"/> (<c>spool/outbound/&lt;id&gt;.msg</c>) has remote recipients.</summary>
public sealed record RemoteDeliveryQueued(string Id, string Path);

/// <summary>Lists the messages waiting for remote delivery, with per-recipient state.</summary>
public sealed record GetOutboundQueue;
public sealed record OutboundQueueResult(IReadOnlyList<QueuedMessage> Messages);

/// <summary>One queued message. <see cref="MailFrom"/> is empty for a bounce; null when not read yet.</summary>
public sealed record QueuedMessage(string Id, string? MailFrom, IReadOnlyList<RecipientState> Recipients, bool InProgress);

/// <summary>Makes every pending recipient due now (like XMail's <c>etrn</c> / a queue flush).</summary>
public sealed record FlushOutboundQueue;
public sealed record OutboundFlushed(int Messages);

/// <summary>Lists frozen messages (failed permanently or out of tries, kept by <c>freeze-failed</c>).</summary>
public sealed record ListFrozen;
public sealed record FrozenListResult(IReadOnlyList<FrozenMessage> Messages);

/// <summary>
/// A frozen message, with the fields XMail's frozlist prints: id (file), sender, failed recipients, arrival time,
/// size in bytes, tries, and the last recorded reason.
/// </summary>
public sealed record FrozenMessage(string Id, string MailFrom, IReadOnlyList<string> Recipients, DateTimeOffset ReceivedAt,
    long Size, int Tries, string? LastError);

/// <summary>Puts a frozen message back into the queue: its failed recipients are tried again with a fresh count.</summary>
public sealed record SubmitFrozen(string Id);
/// <summary>Deletes a frozen message with its state and log.</summary>
public sealed record DeleteFrozen(string Id);
public sealed record FrozenCommandResult(string Id, bool Ok, string? Error);

/// <summary>The per-message log of a frozen message (one line per attempt, bounce and state change).</summary>
public sealed record GetFrozenLog(string Id);
public sealed record FrozenLogResult(string Id, string? Log, string? Error);

/// <summary>The stored message of a frozen entry, without the spool envelope.</summary>
public sealed record GetFrozenMessage(string Id);
public sealed record FrozenMessageResult(string Id, byte[]? Message, string? Error);
