namespace JdMail.Pki;

/// <summary>
/// Raised for every validation failure in the PKI library (bad input, key/certificate mismatch,
/// broken signature, refused request). The message is meant to be shown to an operator as is.
/// </summary>
public class PkiException : Exception
{
    /// <summary>Creates an exception with an operator-readable message.</summary>
    public PkiException(string message) : base(message) { }

    /// <summary>Creates an exception that wraps the low-level cause (BouncyCastle, ASN.1, I/O on buffers).</summary>
    public PkiException(string message, Exception innerException) : base(message, innerException) { }
}
