using System.Text.RegularExpressions;

namespace JdMail.Actors.Ctrl;

/// <summary>Where a CTRL session stands.</summary>
public enum CtrlPhase
{
    /// <summary>Waiting for the login line (or <c>#!TLS</c> before it).</summary>
    Login,
    /// <summary>Logged in: commands are accepted.</summary>
    Command,
}

/// <summary>What the session does with a line received in the <see cref="CtrlPhase.Login"/> phase.</summary>
public abstract record LoginDecision
{
    /// <summary>Reply <c>+00000 Ready to start TLS mode</c>, upgrade, then read the login again (same timestamp).</summary>
    public sealed record StartTls : LoginDecision;
    /// <summary>Reply and close without checking anything.</summary>
    public sealed record Refuse(CtrlReply Reply) : LoginDecision;
    /// <summary>Check this user and plain password.</summary>
    public sealed record Verify(string User, string Password) : LoginDecision
    {
        public override string ToString() => $"Verify {{ User = {User}, Password = ***** }}";
    }
}

/// <summary>
/// The CTRL login rules, declarative and pure (XMail CTRL protocol). The login phase is a single line, or
/// <c>#!TLS</c> and then a single line inside TLS: every outcome other than a successful login closes the session,
/// so <c>#!TLS</c> can only ever be the first line.
/// </summary>
public static partial class CtrlStateTable
{
    public const string TlsLine = "#!TLS";

    /// <param name="tokens">The tokenized login line.</param>
    /// <param name="isTls">The connection is already inside TLS (CTRLS, or after <c>#!TLS</c>).</param>
    /// <param name="tlsOffered">This endpoint allows <c>#!TLS</c> (endpoint mode and <c>jdmail.ctrl.enable-tls</c>).</param>
    /// <param name="allowPlainWithoutTls"><c>jdmail.ctrl.allow-plain-login-without-tls</c>.</param>
    /// <param name="plaintextPipelined">Bytes arrived behind the line, before any reply (only matters for <c>#!TLS</c>).</param>
    public static LoginDecision Login(CtrlTokens tokens, bool isTls, bool tlsOffered, bool allowPlainWithoutTls, bool plaintextPipelined)
    {
        if (!tokens.IsValid) return new LoginDecision.Refuse(CtrlReply.BadLogin);
        var t = tokens.Tokens;
        if (t.Count == 1 && t[0] == TlsLine)
        {
            // XMail §1.4: -00242 on a TLS link, -00249 when disabled; both end the session (no plaintext fallback).
            if (isTls) return new LoginDecision.Refuse(CtrlReply.TlsAlreadyActive);
            if (!tlsOffered) return new LoginDecision.Refuse(CtrlReply.TlsDisabled);
            // Plaintext pipelined behind #!TLS would otherwise be read as if it came inside TLS (the STARTTLS
            // injection class, RFC 3207 §6): refuse the session instead of executing it.
            if (plaintextPipelined) return new LoginDecision.Refuse(CtrlReply.PipelinedAfterTls);
            return new LoginDecision.StartTls();
        }
        // XMail: anything other than exactly two tokens is -00105.
        if (t.Count != 2 || t[0].Length == 0) return new LoginDecision.Refuse(CtrlReply.BadLogin);
        // "#<md5hex>" is XMail's MD5 challenge login: MD5(<timestamp> + password). It needs the clear (or reversibly
        // encrypted) password on the server; JdMail keeps only salted PBKDF2 hashes, so it cannot be verified and is
        // refused. XMail's CtrlClnt falls back to the plain password inside TLS after #!TLS, so it still works.
        if (Md5Digest().IsMatch(t[1])) return new LoginDecision.Refuse(CtrlReply.Md5LoginNotSupported);
        if (!isTls && !allowPlainWithoutTls) return new LoginDecision.Refuse(CtrlReply.TlsRequired);
        return new LoginDecision.Verify(t[0], t[1]);
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{32}$")]
    private static partial Regex Md5Digest();
}
