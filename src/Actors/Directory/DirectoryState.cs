using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace JdMail.Actors.Directory;

/// <summary>A directory command was refused. Codes follow XMail's CTRL error numbers where XMail has one.</summary>
public sealed record DirectoryRejected(int Code, string Message);

/// <summary>Mail account as the directory holds it.</summary>
public sealed record Account(string Domain, string User, string PasswordHash, string UserType,
    ImmutableSortedDictionary<string, string> Variables)
{
    public string Address => $"{User}@{Domain}";
}

/// <summary>
/// The directory's decisions, pure: <c>Process</c> turns a command into events or a rejection, <c>Apply</c> folds an
/// event into a new state. Names are stored lower-case; user and domain names are restricted to characters that
/// are safe as MailRoot folder names.
/// </summary>
public sealed record DirectoryState(
    ImmutableSortedSet<string> Domains,
    ImmutableSortedDictionary<string, Account> Accounts,        // key: user@domain
    ImmutableSortedDictionary<string, string> Aliases,          // key: alias@domain, value: target address
    ImmutableSortedDictionary<string, string> CtrlAccounts,     // key: user, value: password hash
    bool BootstrapDone)
{
    public static readonly DirectoryState Empty = new(ImmutableSortedSet<string>.Empty,
        ImmutableSortedDictionary<string, Account>.Empty, ImmutableSortedDictionary<string, string>.Empty,
        ImmutableSortedDictionary<string, string>.Empty, false);

    // XMail CTRL codes (XMail CTRL protocol).
    public const int ErrUserNotFound = 12, ErrUserExists = 13, ErrAliasExists = 26, ErrAliasNotFound = 28,
        ErrBadEmail = 33, ErrDomainNotHandled = 59, ErrAlreadyExists = 231, ErrBadName = 33;

    private static readonly Regex DomainSyntax = new(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.CultureInvariant);
    // Local parts become folder names: no '/', no leading '.', no "..".
    private static readonly Regex UserSyntax = new(@"^(?=.{1,64}$)[a-z0-9_+=-]+(\.[a-z0-9_+=-]+)*$", RegexOptions.CultureInvariant);

    public static bool IsValidDomain(string d) => DomainSyntax.IsMatch(d);
    public static bool IsValidUser(string u) => UserSyntax.IsMatch(u);

    public bool IsLocalDomain(string domain) => Domains.Contains(domain.ToLowerInvariant());

    public Account? FindAccount(string user, string domain) =>
        Accounts.TryGetValue($"{user.ToLowerInvariant()}@{domain.ToLowerInvariant()}", out var a) ? a : null;

    /// <summary>Follows an alias (one level, then the target must be an account) to the account it names.</summary>
    public Account? Resolve(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0) return null;
        var user = address[..at].ToLowerInvariant();
        var domain = address[(at + 1)..].ToLowerInvariant();
        if (FindAccount(user, domain) is { } a) return a;
        if (Aliases.TryGetValue($"{user}@{domain}", out var target))
        {
            var t = target.Contains('@') ? target : $"{target}@{domain}";
            var tat = t.LastIndexOf('@');
            return FindAccount(t[..tat], t[(tat + 1)..]);
        }
        return null;
    }

    public OneOf Process(DirectoryCommand command)
    {
        switch (command)
        {
            case AddDomain(var d):
                d = d.ToLowerInvariant();
                if (!IsValidDomain(d)) return Reject(ErrBadName, "Bad domain name");
                if (Domains.Contains(d)) return Reject(ErrAlreadyExists, "Already exist");
                return Events(new DomainAdded(d));
            case DeleteDomain(var d):
                d = d.ToLowerInvariant();
                if (!Domains.Contains(d)) return Reject(ErrDomainNotHandled, "Domain not handled");
                return Events(new DomainDeleted(d));
            case AddUser(var d, var u, var hash, var type):
                d = d.ToLowerInvariant(); u = u.ToLowerInvariant();
                if (!Domains.Contains(d)) return Reject(ErrDomainNotHandled, "Domain not handled");
                if (!IsValidUser(u)) return Reject(ErrBadName, "Bad user name");
                if (Accounts.ContainsKey($"{u}@{d}") || Aliases.ContainsKey($"{u}@{d}")) return Reject(ErrUserExists, "User already exist");
                return Events(new UserAdded(d, u, hash, type == "M" ? "M" : "U"));
            case ChangePassword(var d, var u, var hash):
                if (FindAccount(u, d) is not { } acc) return Reject(ErrUserNotFound, "User not found");
                return Events(new UserPasswordChanged(acc.Domain, acc.User, hash));
            case DeleteUser(var d, var u):
                if (FindAccount(u, d) is not { } del) return Reject(ErrUserNotFound, "User not found");
                return Events(new UserDeleted(del.Domain, del.User));
            case SetUserVariables(var d, var u, var pairs):
                if (FindAccount(u, d) is not { } va) return Reject(ErrUserNotFound, "User not found");
                // XMail uservarsset: the value ".|rm" removes the variable.
                return Events(pairs.Select(p => p.Value == ".|rm"
                    ? (IDirectoryEvent)new UserVariableRemoved(va.Domain, va.User, p.Name)
                    : new UserVariableSet(va.Domain, va.User, p.Name, p.Value)).ToArray());
            case AddAlias(var d, var alias, var target):
                d = d.ToLowerInvariant(); alias = alias.ToLowerInvariant(); target = target.ToLowerInvariant();
                if (!Domains.Contains(d)) return Reject(ErrDomainNotHandled, "Domain not handled");
                if (!IsValidUser(alias)) return Reject(ErrBadName, "Bad alias name");
                if (Aliases.ContainsKey($"{alias}@{d}") || Accounts.ContainsKey($"{alias}@{d}")) return Reject(ErrAliasExists, "Alias already exist");
                return Events(new AliasAdded(d, alias, target));
            case DeleteAlias(var d, var alias):
                var key = $"{alias.ToLowerInvariant()}@{d.ToLowerInvariant()}";
                if (!Aliases.ContainsKey(key)) return Reject(ErrAliasNotFound, "Alias not found");
                return Events(new AliasDeleted(d.ToLowerInvariant(), alias.ToLowerInvariant()));
            case SetCtrlAccount(var user, var hash):
                return Events(CtrlAccounts.ContainsKey(user.ToLowerInvariant())
                    ? new CtrlAccountPasswordChanged(user.ToLowerInvariant(), hash)
                    : new CtrlAccountAdded(user.ToLowerInvariant(), hash));
            case ApplyBootstrap b:
                if (BootstrapDone) return Events();
                var events = new List<IDirectoryEvent>();
                var state = this;
                void Add(IDirectoryEvent e) { events.Add(e); state = state.Apply(e); }
                var bd = b.Domain.ToLowerInvariant();
                if (IsValidDomain(bd) && !state.Domains.Contains(bd)) Add(new DomainAdded(bd));
                if (b.CtrlUser.Length > 0 && b.CtrlPasswordHash is { } ch && !state.CtrlAccounts.ContainsKey(b.CtrlUser.ToLowerInvariant()))
                    Add(new CtrlAccountAdded(b.CtrlUser.ToLowerInvariant(), ch));
                foreach (var (address, hash) in b.Users)
                {
                    var at = address.LastIndexOf('@');
                    var (u, d) = (address[..at].ToLowerInvariant(), address[(at + 1)..].ToLowerInvariant());
                    if (!IsValidDomain(d) || !IsValidUser(u)) return Reject(ErrBadName, $"bootstrap user '{address}' is not a valid address");
                    if (!state.Domains.Contains(d)) Add(new DomainAdded(d));
                    if (!state.Accounts.ContainsKey($"{u}@{d}")) Add(new UserAdded(d, u, hash, "U"));
                }
                Add(new BootstrapApplied(b.AtUnixSeconds));
                return Events(events.ToArray());
            default:
                return Reject(103, "Bad CTRL command syntax");
        }
    }

    public DirectoryState Apply(IDirectoryEvent e) => e switch
    {
        DomainAdded(var d) => this with { Domains = Domains.Add(d) },
        // Deleting a domain removes its accounts and aliases from the directory (mail files stay on disk).
        DomainDeleted(var d) => this with
        {
            Domains = Domains.Remove(d),
            Accounts = Accounts.RemoveRange(Accounts.Keys.Where(k => k.EndsWith("@" + d, StringComparison.Ordinal))),
            Aliases = Aliases.RemoveRange(Aliases.Keys.Where(k => k.EndsWith("@" + d, StringComparison.Ordinal))),
        },
        UserAdded(var d, var u, var h, var t) => this with
        {
            Accounts = Accounts.SetItem($"{u}@{d}", new Account(d, u, h, t, ImmutableSortedDictionary<string, string>.Empty)),
        },
        UserPasswordChanged(var d, var u, var h) => Accounts.TryGetValue($"{u}@{d}", out var a)
            ? this with { Accounts = Accounts.SetItem($"{u}@{d}", a with { PasswordHash = h }) } : this,
        UserDeleted(var d, var u) => this with { Accounts = Accounts.Remove($"{u}@{d}") },
        UserVariableSet(var d, var u, var n, var v) => Accounts.TryGetValue($"{u}@{d}", out var a)
            ? this with { Accounts = Accounts.SetItem($"{u}@{d}", a with { Variables = a.Variables.SetItem(n, v) }) } : this,
        UserVariableRemoved(var d, var u, var n) => Accounts.TryGetValue($"{u}@{d}", out var a)
            ? this with { Accounts = Accounts.SetItem($"{u}@{d}", a with { Variables = a.Variables.Remove(n) }) } : this,
        AliasAdded(var d, var al, var t) => this with { Aliases = Aliases.SetItem($"{al}@{d}", t) },
        AliasDeleted(var d, var al) => this with { Aliases = Aliases.Remove($"{al}@{d}") },
        CtrlAccountAdded(var u, var h) => this with { CtrlAccounts = CtrlAccounts.SetItem(u, h) },
        CtrlAccountPasswordChanged(var u, var h) => this with { CtrlAccounts = CtrlAccounts.SetItem(u, h) },
        BootstrapApplied => this with { BootstrapDone = true },
        _ => this,
    };

    private static OneOf Reject(int code, string message) => new(null, new DirectoryRejected(code, message));
    private static OneOf Events(params IDirectoryEvent[] events) => new(events, null);

    /// <summary>Either the events to persist or the rejection.</summary>
    public readonly record struct OneOf(IReadOnlyList<IDirectoryEvent>? Events, DirectoryRejected? Rejection);
}
