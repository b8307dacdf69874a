using System.Numerics;
using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>Tests only: reproducible uniform integers from a logged seed; <see cref="Reseed"/> starts a new stream.</summary>
public sealed class SeededRandomSource : IRandomSource
{
    private Random _random;

    public SeededRandomSource(int seed)
    {
        _random = new Random(seed);
        TestContext.Out.WriteLine($"random seed {seed}");
    }

    public void Reseed(int seed)
    {
        _random = new Random(seed);
        TestContext.Out.WriteLine($"random seed {seed}");
    }

    public BigInteger UniformBelow(BigInteger bound) => RejectionSampling.UniformBelow(bound, _random.NextBytes);
}
