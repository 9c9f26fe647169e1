namespace JdMail.Actors.Ctrl;

/// <summary>XMail's list filters (<c>StrWildMatch</c>): <c>*</c> any run, <c>?</c> one character; case-insensitive here. Pure.</summary>
public static class CtrlWildcard
{
    public static bool IsMatch(string pattern, string text)
    {
        // Iterative matcher with one backtrack point: linear in practice, no recursion on hostile patterns.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
            {
                p++; t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
