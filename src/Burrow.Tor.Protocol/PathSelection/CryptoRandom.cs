using System.Security.Cryptography;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// A <see cref="Random"/> backed by the operating system's CSPRNG. Path and guard choices decide
/// who can observe a user's traffic, so they must not be predictable; tests pass a seeded
/// <see cref="Random"/> instead. Thread-safe, unlike a seeded Random.
/// </summary>
internal sealed class CryptoRandom : Random
{
    public static CryptoRandom Instance { get; } = new();

    private CryptoRandom() : base(0) { }

    public override int Next() => RandomNumberGenerator.GetInt32(int.MaxValue);

    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue == 0 ? 0 : RandomNumberGenerator.GetInt32(maxValue);
    }

    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return minValue == maxValue ? minValue : RandomNumberGenerator.GetInt32(minValue, maxValue);
    }

    public override long NextInt64() => NextInt64(long.MaxValue);

    public override long NextInt64(long maxValue) => NextInt64(0, maxValue);

    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        var range = (ulong)(maxValue - minValue);
        if (range == 0)
            return minValue;
        // Rejection sampling keeps the result uniform.
        var limit = ulong.MaxValue - ulong.MaxValue % range;
        Span<byte> b = stackalloc byte[8];
        ulong v;
        do
        {
            RandomNumberGenerator.Fill(b);
            v = BitConverter.ToUInt64(b);
        } while (v >= limit);
        return minValue + (long)(v % range);
    }

    public override double NextDouble()
    {
        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        // 53 random bits: every representable step in [0, 1) equally likely.
        return (BitConverter.ToUInt64(b) >> 11) * (1.0 / (1UL << 53));
    }

    public override float NextSingle() => (float)NextDouble();

    public override void NextBytes(byte[] buffer) => RandomNumberGenerator.Fill(buffer);

    public override void NextBytes(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);

    protected override double Sample() => NextDouble();
}
