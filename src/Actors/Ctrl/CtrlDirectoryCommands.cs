using Akka.Actor;
using JdMail.Actors.Directory;

namespace JdMail.Actors.Ctrl;

/// <summary>
/// Runs XMail's directory commands against the <see cref="DirectoryActor"/>. Runs off the session actor (its result is
/// piped back): passwords are hashed and checked on the thread pool, never on an actor thread.
/// <c>userlist</c> deliberately never returns passwords (XMail returns them in clear): the directory only holds
/// salted PBKDF2 hashes, and even those are not handed out. Its rows are <c>"domain" "user" "type"</c>.
/// </summary>
public sealed class CtrlDirectoryCommands
{
    private readonly IActorRef _directory;
    private readonly int _pbkdf2Iterations;
    private readonly TimeSpan _timeout;

    public CtrlDirectoryCommands(IActorRef directory, int pbkdf2Iterations, TimeSpan? timeout = null)
    {
        _directory = directory;
        _pbkdf2Iterations = pbkdf2Iterations;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>Whether this class runs <paramref name="command"/>.</summary>
    public static bool Handles(CtrlCommand command) => command is DomainAddCommand or DomainDelCommand or DomainListCommand
        or UserAddCommand or UserDelCommand or UserPasswdCommand or UserAuthCommand or UserListCommand or UserVarsCommand
        or UserVarsSetCommand or AliasAddCommand or AliasDelCommand or AliasListCommand;

    public Task<CtrlResponse> ExecuteAsync(CtrlCommand command) => command switch
    {
        DomainAddCommand c => ChangeAsync(new AddDomain(c.Domain)),
        DomainDelCommand c => ChangeAsync(new DeleteDomain(c.Domain)),
        DomainListCommand c => ListAsync(s => s.Domains
            .Where(d => c.Patterns.Count == 0 || c.Patterns.Any(p => CtrlWildcard.IsMatch(p, d)))
            .Select(d => new[] { d })),
        UserAddCommand c => UserAddAsync(c),
        UserDelCommand c => ChangeAsync(new DeleteUser(c.Domain, c.User)),
        UserPasswdCommand c => UserPasswdAsync(c),
        UserAuthCommand c => UserAuthAsync(c),
        UserListCommand c => ListAsync(s => s.Accounts.Values
            .Where(a => CtrlWildcard.IsMatch(c.DomainPattern, a.Domain) && CtrlWildcard.IsMatch(c.UserPattern, a.User))
            .Select(a => new[] { a.Domain, a.User, a.UserType })),
        UserVarsCommand c => UserVarsAsync(c),
        UserVarsSetCommand c => ChangeAsync(new SetUserVariables(c.Domain, c.User, c.Pairs)),
        AliasAddCommand c => ChangeAsync(new AddAlias(c.Domain, c.Alias, c.Account)),
        AliasDelCommand c => ChangeAsync(new DeleteAlias(c.Domain, c.Alias)),
        AliasListCommand c => ListAsync(s => s.Aliases
            .Select(kv => (Key: kv.Key, Target: kv.Value, At: kv.Key.LastIndexOf('@')))
            .Select(x => (Domain: x.Key[(x.At + 1)..], Alias: x.Key[..x.At], x.Target))
            .Where(x => CtrlWildcard.IsMatch(c.DomainPattern, x.Domain) && CtrlWildcard.IsMatch(c.AliasPattern, x.Alias)
                        && CtrlWildcard.IsMatch(c.AccountPattern, x.Target))
            .Select(x => new[] { x.Domain, x.Alias, x.Target })),
        _ => Task.FromResult(CtrlResponse.Fail(CtrlReply.BadCommand)),
    };

    private async Task<CtrlResponse> ChangeAsync(DirectoryCommand command)
    {
        var answer = await _directory.Ask<object>(command, _timeout).ConfigureAwait(false);
        return answer switch
        {
            DirectoryDone => CtrlResponse.Done,
            // The directory's codes are XMail's CTRL codes already.
            DirectoryRejected r => CtrlResponse.Fail(CtrlReply.Error(r.Code, r.Message)),
            _ => CtrlResponse.Fail(CtrlReply.LocalError),
        };
    }

    private async Task<CtrlResponse> ListAsync(Func<DirectoryState, IEnumerable<string[]>> rows)
    {
        var state = await _directory.Ask<DirectoryState>(new GetDirectorySnapshot(), _timeout).ConfigureAwait(false);
        return CtrlResponse.Rows(rows(state));
    }

    private async Task<CtrlResponse> UserAddAsync(UserAddCommand c)
    {
        if (c.Password.Length == 0) return CtrlResponse.Fail(CtrlReply.InvalidPassword);
        var hash = await Task.Run(() => PasswordHasher.Hash(c.Password, _pbkdf2Iterations)).ConfigureAwait(false);
        return await ChangeAsync(new AddUser(c.Domain, c.User, hash, c.UserType.Equals("M", StringComparison.OrdinalIgnoreCase) ? "M" : "U"))
            .ConfigureAwait(false);
    }

    private async Task<CtrlResponse> UserPasswdAsync(UserPasswdCommand c)
    {
        if (c.Password.Length == 0) return CtrlResponse.Fail(CtrlReply.InvalidPassword);
        var hash = await Task.Run(() => PasswordHasher.Hash(c.Password, _pbkdf2Iterations)).ConfigureAwait(false);
        return await ChangeAsync(new ChangePassword(c.Domain, c.User, hash)).ConfigureAwait(false);
    }

    private async Task<CtrlResponse> UserAuthAsync(UserAuthCommand c)
    {
        var credential = await _directory.Ask<CredentialResult>(new GetCredential($"{c.User}@{c.Domain}"), _timeout).ConfigureAwait(false);
        if (credential.PasswordHash is not { } hash) return CtrlResponse.Fail(CtrlReply.UserNotFound);
        var ok = await Task.Run(() => PasswordHasher.Verify(c.Password, hash)).ConfigureAwait(false);
        return ok ? CtrlResponse.Done : CtrlResponse.Fail(CtrlReply.InvalidPassword);
    }

    private async Task<CtrlResponse> UserVarsAsync(UserVarsCommand c)
    {
        var state = await _directory.Ask<DirectoryState>(new GetDirectorySnapshot(), _timeout).ConfigureAwait(false);
        if (state.FindAccount(c.User, c.Domain) is not { } account) return CtrlResponse.Fail(CtrlReply.UserNotFound);
        return CtrlResponse.Rows(account.Variables.Select(v => new[] { v.Key, v.Value }));
    }
}
