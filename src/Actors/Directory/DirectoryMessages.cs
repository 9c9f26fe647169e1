namespace JdMail.Actors.Directory;

// Commands change the directory; each is answered with DirectoryDone or DirectoryRejected.
// Passwords arrive already hashed (PasswordHasher) so the actor never spends CPU on key stretching.

/// <summary>Marker for commands that change the directory.</summary>
public interface DirectoryCommand;
public sealed record AddDomain(string Domain) : DirectoryCommand;
public sealed record DeleteDomain(string Domain) : DirectoryCommand;
public sealed record AddUser(string Domain, string User, string PasswordHash, string UserType) : DirectoryCommand;
public sealed record ChangePassword(string Domain, string User, string PasswordHash) : DirectoryCommand;
public sealed record DeleteUser(string Domain, string User) : DirectoryCommand;
public sealed record SetUserVariables(string Domain, string User, IReadOnlyList<(string Name, string Value)> Pairs) : DirectoryCommand;
public sealed record AddAlias(string Domain, string Alias, string Target) : DirectoryCommand;
public sealed record DeleteAlias(string Domain, string Alias) : DirectoryCommand;
public sealed record SetCtrlAccount(string User, string PasswordHash) : DirectoryCommand;
/// <summary>First-start accounts; ignored once applied.</summary>
public sealed record ApplyBootstrap(string Domain, string CtrlUser, string? CtrlPasswordHash,
    IReadOnlyList<(string Address, string PasswordHash)> Users, long AtUnixSeconds) : DirectoryCommand;

/// <summary>A command was applied and persisted.</summary>
public sealed record DirectoryDone;

// Queries.
/// <summary>What an address means here: a local account, a local domain without that user, or not local.</summary>
public sealed record ResolveAddress(string Address);
public enum AddressKind { LocalAccount, UnknownLocalUser, NotLocal }
public sealed record AddressResolved(string Address, AddressKind Kind, string? Domain, string? User);

/// <summary>The stored hash for a mail account login (full address or user of the default domain).</summary>
public sealed record GetCredential(string Login);
public sealed record CredentialResult(string Login, string? Domain, string? User, string? PasswordHash);

public sealed record GetCtrlCredential(string User);
public sealed record CtrlCredentialResult(string User, string? PasswordHash);

/// <summary>A read-only copy of the whole directory, for listings.</summary>
public sealed record GetDirectorySnapshot;
