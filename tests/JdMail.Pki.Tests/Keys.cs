using Org.BouncyCastle.Crypto;

namespace JdMail.Pki.Tests;

/// <summary>Keys generated once per test run: RSA generation is the slow part of the suite.</summary>
public static class Keys
{
    private static readonly Lazy<AsymmetricCipherKeyPair> ec256 = new(() => KeyMaterial.Generate(KeySpec.Ec256));
    private static readonly Lazy<AsymmetricCipherKeyPair> ec256b = new(() => KeyMaterial.Generate(KeySpec.Ec256));
    private static readonly Lazy<AsymmetricCipherKeyPair> ec384 = new(() => KeyMaterial.Generate(KeySpec.Ec384));
    private static readonly Lazy<AsymmetricCipherKeyPair> rsa2048 = new(() => KeyMaterial.Generate(KeySpec.Rsa2048));
    private static readonly Lazy<AsymmetricCipherKeyPair> rsa2048b = new(() => KeyMaterial.Generate(KeySpec.Rsa2048));

    public static AsymmetricCipherKeyPair Ec256 => ec256.Value;
    public static AsymmetricCipherKeyPair Ec256B => ec256b.Value;
    public static AsymmetricCipherKeyPair Ec384 => ec384.Value;
    public static AsymmetricCipherKeyPair Rsa2048 => rsa2048.Value;
    public static AsymmetricCipherKeyPair Rsa2048B => rsa2048b.Value;

    public static DateTime Now { get; } = DateTime.UtcNow.AddMinutes(-5);
}
