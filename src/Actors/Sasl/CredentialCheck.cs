using Akka.Actor;
using JdMail.Actors.Directory;

namespace JdMail.Actors.Sasl;

/// <summary>
/// Checks a mail account password off the actor thread: the directory hands out the stored hash and PBKDF2 runs on
/// the thread pool. An unknown account costs the same work as a wrong password, so timing tells nothing.
/// </summary>
public static class CredentialCheck
{
    private static readonly string DummyHash = PasswordHasher.Hash(Guid.NewGuid().ToString(), 210000);

    /// <summary>The canonical account address on success, null on any failure.</summary>
    /// <param name="failureDelay">How long a failure waits before it is reported (slows guessing; no thread waits).</param>
    public static async Task<string?> VerifyAsync(IActorRef directory, string login, string password, TimeSpan failureDelay = default)
    {
        var c = await directory.Ask<CredentialResult>(new GetCredential(login), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var ok = await Task.Run(() => PasswordHasher.Verify(password, c.PasswordHash ?? DummyHash)).ConfigureAwait(false);
        if (ok && c.PasswordHash is not null) return $"{c.User}@{c.Domain}";
        if (failureDelay > TimeSpan.Zero) await Task.Delay(failureDelay).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// SASL EXTERNAL (RFC 4422 Appendix A): succeeds with the account the certificate names when the client asked for
    /// no other identity (<paramref name="authorizationId"/> empty or the same) and that account exists.
    /// </summary>
    public static async Task<string?> ExternalAsync(IActorRef directory, string? certificateAccount, string authorizationId)
    {
        if (certificateAccount is null) return null;
        if (authorizationId.Length > 0 && !authorizationId.Equals(certificateAccount, StringComparison.OrdinalIgnoreCase)) return null;
        var c = await directory.Ask<CredentialResult>(new GetCredential(certificateAccount), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return c.PasswordHash is null ? null : $"{c.User}@{c.Domain}";
    }
}
