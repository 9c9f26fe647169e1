namespace JdMail.Actors.Smtp;

/// <summary>Where an SMTP session stands in the RFC 5321 §4.1.4 command order.</summary>
public enum SmtpPhase { Fresh, Greeted, Mail, Rcpt }

/// <summary>
/// Declarative command-order rules: which verbs each phase accepts, and the reply for the ones it does not.
/// Checked before a command is acted on, so the session actor only deals with commands in their place.
/// </summary>
public static class SmtpStateTable
{
    // verb → phases in which it is accepted, and the reply otherwise.
    private static readonly Dictionary<string, (SmtpPhase[] Allowed, Func<SmtpPhase, SmtpReply> Refusal)> Rules = new()
    {
        ["MAIL"] = ([SmtpPhase.Greeted], p => p == SmtpPhase.Fresh ? SmtpReply.HeloFirst : SmtpReply.NestedMail),
        ["RCPT"] = ([SmtpPhase.Mail, SmtpPhase.Rcpt], p => p == SmtpPhase.Fresh ? SmtpReply.HeloFirst : SmtpReply.NeedMail),
        ["DATA"] = ([SmtpPhase.Rcpt], p => p switch
        {
            SmtpPhase.Fresh => SmtpReply.HeloFirst,
            SmtpPhase.Mail => SmtpReply.NeedRcpt,
            _ => SmtpReply.NeedMail,
        }),
        // RFC 3207 §4 and RFC 4954 §4: neither inside a mail transaction; both after EHLO.
        ["STARTTLS"] = ([SmtpPhase.Greeted], p => p == SmtpPhase.Fresh ? SmtpReply.HeloFirst : SmtpReply.NotInTransaction),
        ["AUTH"] = ([SmtpPhase.Greeted], p => p == SmtpPhase.Fresh ? SmtpReply.HeloFirst : SmtpReply.NotInTransaction),
    };

    /// <summary>Null when <paramref name="verb"/> may run in <paramref name="phase"/>, else the refusal.</summary>
    public static SmtpReply? Check(SmtpPhase phase, string verb) =>
        Rules.TryGetValue(verb, out var rule) && !rule.Allowed.Contains(phase) ? rule.Refusal(phase) : null;

    /// <summary>The phase after a command succeeded.</summary>
    public static SmtpPhase After(SmtpPhase phase, string verb) => verb switch
    {
        "EHLO" or "HELO" => SmtpPhase.Greeted,
        "MAIL" => SmtpPhase.Mail,
        "RCPT" => SmtpPhase.Rcpt,
        "DATA" or "RSET" => phase == SmtpPhase.Fresh ? SmtpPhase.Fresh : SmtpPhase.Greeted,
        _ => phase,
    };
}
