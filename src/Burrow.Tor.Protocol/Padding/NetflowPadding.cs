// Connection-level ("netflow") padding, padding-spec 2: the nf_* consensus parameters and the
// Y = max(X, X) timeout distribution an idle channel's padding timer is drawn from (section 2.3).
using Burrow.Tor.NetDir;

namespace Burrow.Tor.Padding;

internal sealed record NetflowPadding
{
    public static NetflowPadding Default { get; } = new();

    /// <summary>nf_ito_low / nf_ito_high (ms): the idle range for normal padding; both 0 disables padding.</summary>
    public int ItoLowMs { get; init; } = 1500;

    public int ItoHighMs { get; init; } = 9500;

    /// <summary>nf_ito_low_reduced / nf_ito_high_reduced (ms): the range for reduced-padding clients.</summary>
    public int ItoLowReducedMs { get; init; } = 9000;

    public int ItoHighReducedMs { get; init; } = 14000;

    /// <summary>nf_pad_before_usage: pad channels before any application traffic.</summary>
    public bool PadBeforeUsage { get; init; } = true;

    public static NetflowPadding FromConsensus(NetParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var low = p.Get("nf_ito_low", 1500, 0, 60_000);
        var lowReduced = p.Get("nf_ito_low_reduced", 9000, 0, 60_000);
        return new NetflowPadding
        {
            ItoLowMs = low,
            ItoHighMs = p.Get("nf_ito_high", 9500, low, 60_000),
            ItoLowReducedMs = lowReduced,
            ItoHighReducedMs = p.Get("nf_ito_high_reduced", 14000, lowReduced, 60_000),
            PadBeforeUsage = p.Get("nf_pad_before_usage", 1, 0, 1) == 1,
        };
    }

    /// <summary>Whether the consensus turned padding off (nf_ito_low == nf_ito_high == 0).</summary>
    public bool Disabled => ItoLowMs == 0 && ItoHighMs == 0;

    /// <summary>
    /// padding-spec 2.3: low + Y with Y = max(X, X), X uniform over 0..R-1 and R = high - low, so padding is
    /// sent less often than a uniform draw would (the other side pads too; min(Y, Y) is about uniform).
    /// </summary>
    public static int SampleTimeoutMs(int lowMs, int highMs, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var range = highMs - lowMs;
        if (range <= 0)
            return lowMs;
        return lowMs + Math.Max(random.Next(range), random.Next(range));
    }
}
