namespace JdMail.Actors.Directory;

// The directory's journal schema. Events hold primitives only; a shipped event never changes shape.

/// <summary>Marker for every directory event.</summary>
public interface IDirectoryEvent;

public sealed record DomainAdded(string Domain) : IDirectoryEvent;
public sealed record DomainDeleted(string Domain) : IDirectoryEvent;
/// <summary>A mail account. <paramref name="PasswordHash"/> is a <see cref="PasswordHasher"/> record, never the password.</summary>
public sealed record UserAdded(string Domain, string User, string PasswordHash, string UserType) : IDirectoryEvent;
public sealed record UserPasswordChanged(string Domain, string User, string PasswordHash) : IDirectoryEvent;
public sealed record UserDeleted(string Domain, string User) : IDirectoryEvent;
public sealed record UserVariableSet(string Domain, string User, string Name, string Value) : IDirectoryEvent;
public sealed record UserVariableRemoved(string Domain, string User, string Name) : IDirectoryEvent;
public sealed record AliasAdded(string Domain, string Alias, string Target) : IDirectoryEvent;
public sealed record AliasDeleted(string Domain, string Alias) : IDirectoryEvent;
public sealed record CtrlAccountAdded(string User, string PasswordHash) : IDirectoryEvent;
public sealed record CtrlAccountPasswordChanged(string User, string PasswordHash) : IDirectoryEvent;
/// <summary>The <c>jdmail.bootstrap</c> accounts were applied; a later start never applies them again.</summary>
public sealed record BootstrapApplied(long AtUnixSeconds) : IDirectoryEvent;
