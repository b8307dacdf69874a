using System.Numerics;

namespace Analytics.Partners.Privacy;

/// <summary>A uniform integer below a bound from uniform random bytes: draw just enough bits, reject and redraw above the bound.</summary>
public static class RejectionSampling
{
    public static BigInteger UniformBelow(BigInteger bound, Action<Span<byte>> fill)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, BigInteger.Zero);
        if (bound.IsOne)
        {
            return BigInteger.Zero;
        }
        var bits = checked((int)(bound - 1).GetBitLength());
        var bytes = new byte[(bits + 7) / 8];
        var topMask = (byte)((1 << (bits - ((bytes.Length - 1) * 8))) - 1);
        while (true)
        {
            fill(bytes);
            bytes[^1] &= topMask;
            var candidate = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
            if (candidate < bound)
            {
                return candidate;
            }
        }
    }
}
