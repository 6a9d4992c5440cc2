// Which time period and shared random value a client uses to fetch (rend-spec-v3 2.2.4.1 [CLIENTFETCH]):
// always the current time period (from the consensus valid-after); the current SRV when between the
// start of a time period and the next SRV, otherwise the previous SRV. A new SRV starts each shared
// random protocol run of 24 voting rounds (dir-spec / srv-spec); time periods are offset by 12 rounds.
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Protocol.Onion;

internal static class HsDirSchedule
{
    private const int RoundsPerProtocolRun = 24;

    public static TimeSpan VotingInterval(MicrodescConsensus consensus)
    {
        var vi = consensus.FreshUntil - consensus.ValidAfter;
        return vi > TimeSpan.Zero ? vi : TimeSpan.FromHours(1);
    }

    /// <summary>
    /// The client's current time period for <paramref name="consensus"/>. On a C tor test network
    /// (<paramref name="testingNetwork"/>, "TestingTorNetwork 1") services use a period of one shared-random
    /// protocol run (24 voting intervals, in whole minutes) so that it rotates during tests; clients there must too.
    /// </summary>
    public static TimePeriod CurrentPeriod(MicrodescConsensus consensus, bool testingNetwork = false)
    {
        var length = testingNetwork
            ? (uint)Math.Max(1, (long)VotingInterval(consensus).TotalSeconds * RoundsPerProtocolRun / 60)
            : (uint)consensus.Params.Get("hsdir-interval", (int)TimePeriod.DefaultLengthMinutes,
                (int)TimePeriod.MinLengthMinutes, (int)TimePeriod.MaxLengthMinutes);
        var offset = TimePeriod.RotationOffsetFor(VotingInterval(consensus));
        return TimePeriod.At(new DateTimeOffset(DateTime.SpecifyKind(consensus.ValidAfter, DateTimeKind.Utc)), length, offset);
    }

    /// <summary>
    /// The SRV to fetch with first, and the other one (a fallback for services whose clock or consensus
    /// differs near a boundary). Missing values become the "disaster" SRV of 2.3.1.
    /// </summary>
    public static (byte[] Primary, byte[] Alternate) SharedRandomForFetch(MicrodescConsensus consensus, TimePeriod period)
    {
        var current = HsDirRing.SharedRandomOrDisaster(consensus.SharedRandCurrent, period);
        var previous = HsDirRing.SharedRandomOrDisaster(consensus.SharedRandPrevious, period.Previous);
        return InPeriodBetweenTpAndSrv(consensus, period) ? (current, previous) : (previous, current);
    }

    /// <summary>True between the start of a time period and the next new SRV.</summary>
    public static bool InPeriodBetweenTpAndSrv(MicrodescConsensus consensus, TimePeriod period)
    {
        var vi = (long)VotingInterval(consensus).TotalSeconds;
        var va = new DateTimeOffset(DateTime.SpecifyKind(consensus.ValidAfter, DateTimeKind.Utc)).ToUnixTimeSeconds();
        var slot = va / vi % RoundsPerProtocolRun;
        var srvStart = va - slot * vi;
        var tpAfterSrv = TimePeriod.At(DateTimeOffset.FromUnixTimeSeconds(srvStart), period.LengthMinutes, period.RotationOffsetMinutes).End.ToUnixTimeSeconds();
        return !(va >= srvStart && va < tpAfterSrv);
    }
}
