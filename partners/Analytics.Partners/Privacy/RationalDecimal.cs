using System.Numerics;

namespace Analytics.Partners.Privacy;

/// <summary>A decimal as the exact fraction it is (mantissa / 10^scale), so ε never passes through a double.</summary>
public static class RationalDecimal
{
    public static (BigInteger Numerator, BigInteger Denominator) Of(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var scale = (bits[3] >> 16) & 0xFF;
        var numerator = bits[3] < 0 ? -mantissa : mantissa;
        var denominator = BigInteger.Pow(10, scale);
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        return gcd.IsZero ? (numerator, denominator) : (numerator / gcd, denominator / gcd);
    }
}
