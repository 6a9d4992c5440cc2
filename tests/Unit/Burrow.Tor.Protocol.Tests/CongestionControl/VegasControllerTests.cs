using Burrow.Tor.Cells;
using Burrow.Tor.CongestionControl;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Protocol.Tests.CongestionControl;

/// <summary>Tor Vegas (proposal 324 3.3) driven by recorded RTT sequences, and the negotiation and XON/XOFF encodings.</summary>
public class VegasControllerTests
{
    private static readonly CongestionControlParameters P = CongestionControlParameters.Default;

    /// <summary>Feeds SENDMEs with a full window (inflight = cwnd) and the given RTTs; returns the cwnd after each.</summary>
    private static List<int> Run(VegasController vegas, IEnumerable<long> rtts) =>
        rtts.Select(rtt => vegas.OnSendme(rtt, vegas.Cwnd)).ToList();

    [Fact]
    public void Slow_start_grows_a_full_window_by_sendme_inc_per_ack_while_the_rtt_stays_flat()
    {
        var vegas = new VegasController(P, 31);
        Assert.Equal(124, vegas.Cwnd);
        var cwnds = Run(vegas, Enumerable.Repeat(50_000L, 5));
        Assert.Equal([155, 186, 217, 248, 279], cwnds);
        Assert.True(vegas.InSlowStart);
    }

    [Fact]
    public void A_window_that_is_not_full_does_not_grow()
    {
        // With cc_cwnd_full_gap 0 "full" means inflight reaches cwnd; 10 of 124 is below cc_cwnd_full_minpct.
        var vegas = new VegasController(P with { CwndFullGap = 0 }, 31);
        for (var i = 0; i < 5; i++)
            vegas.OnSendme(50_000, inflight: 10);
        Assert.Equal(124, vegas.Cwnd);
    }

    [Fact]
    public void Queueing_delay_ends_slow_start_at_bdp_plus_gamma_and_then_the_window_shrinks()
    {
        var vegas = new VegasController(P, 31);
        Run(vegas, Enumerable.Repeat(50_000L, 20)); // grows to ~744 with a flat RTT
        var before = vegas.Cwnd;
        Assert.True(vegas.InSlowStart);
        // The RTT doubles: queue_use = cwnd - BDP exceeds gamma, slow start ends at BDP + gamma.
        vegas.OnSendme(150_000, vegas.Cwnd);
        Assert.False(vegas.InSlowStart);
        Assert.Equal(vegas.Bdp + P.VegasGamma, vegas.Cwnd);
        Assert.True(vegas.Cwnd < before);
        // Sustained delay: the steady state cuts the window until the queue estimate is back under beta.
        var cut = vegas.Cwnd;
        Run(vegas, Enumerable.Repeat(400_000L, 200));
        Assert.InRange(vegas.Cwnd, P.CwndMin, cut - 1);
        Assert.True(vegas.Cwnd - vegas.Bdp <= P.VegasBeta + P.CwndInc);
    }

    [Fact]
    public void Steady_state_grows_by_cwnd_inc_when_the_queue_is_short()
    {
        var vegas = new VegasController(P with { SlowStartMax = 500 }, 31);
        Run(vegas, Enumerable.Repeat(50_000L, 20));
        Assert.False(vegas.InSlowStart); // the cc_ss_max hard cap ended slow start
        var start = vegas.Cwnd;
        Assert.InRange(start, 500, 520);
        Run(vegas, Enumerable.Repeat(50_000L, 100));
        Assert.True(vegas.Cwnd > start);
        Assert.True(vegas.Cwnd <= start + 100 * P.CwndInc);
    }

    [Fact]
    public void Clock_stalls_and_jumps_are_not_used()
    {
        var vegas = new VegasController(P with { SlowStartMax = 500 }, 31);
        Run(vegas, Enumerable.Repeat(50_000L, 20));
        var cwnd = vegas.Cwnd;
        var ewma = vegas.EwmaRttUsec;
        vegas.OnSendme(0, vegas.Cwnd);                      // stall
        vegas.OnSendme(ewma * 6000, vegas.Cwnd);            // jump
        Assert.Equal(2, vegas.DiscardedSamples);
        Assert.Equal(ewma, vegas.EwmaRttUsec);
        Assert.Equal(cwnd, vegas.Cwnd);
    }

    [Fact]
    public void The_window_stays_within_cwnd_max()
    {
        var vegas = new VegasController(P with { CwndMax = 600 }, 31);
        Run(vegas, Enumerable.Repeat(50_000L, 100));
        Assert.Equal(600, vegas.Cwnd);
    }

    [Fact]
    public void Negotiation_encodes_the_request_and_checks_the_response()
    {
        Assert.Equal([1, 1, 0], CongestionControlNegotiation.ClientMessage(true));
        Assert.Equal([0], CongestionControlNegotiation.ClientMessage(false));
        Assert.Equal(31, CongestionControlNegotiation.ParseServerMessage([2, 9, 1, 7, 2, 1, 31], requested: true, 31));
        Assert.Null(CongestionControlNegotiation.ParseServerMessage([0], requested: true, 31));
        Assert.Null(CongestionControlNegotiation.ParseServerMessage([], requested: true, 31));
        Assert.Throws<TorCryptoException>(() => CongestionControlNegotiation.ParseServerMessage([1, 2, 1, 31], requested: false, 31));
        Assert.Throws<TorCryptoException>(() => CongestionControlNegotiation.ParseServerMessage([1, 2, 1, 100], requested: true, 31));
        Assert.Throws<TorCryptoException>(() => CongestionControlNegotiation.ParseServerMessage([1, 2, 1, 15], requested: true, 31));
        Assert.Throws<TorCryptoException>(() => CongestionControlNegotiation.ParseServerMessage([1, 2, 0], requested: true, 31));
    }

    [Fact]
    public void Xon_and_xoff_round_trip_and_unknown_versions_are_refused()
    {
        var buffer = new byte[8];
        Assert.Equal(5, new XonMessage(0x01020304).Encode(buffer));
        Assert.Equal([0, 1, 2, 3, 4], buffer[..5]);
        Assert.Equal(0x01020304u, Assert.IsType<XonMessage>(RelayMessage.Decode(RelayCommand.Xon, buffer.AsSpan(0, 5))).KbpsEwma);
        Assert.Equal(1, XoffMessage.Instance.Encode(buffer));
        Assert.IsType<XoffMessage>(RelayMessage.Decode(RelayCommand.Xoff, new byte[] { 0 }.AsSpan()));
        Assert.Throws<CellFormatException>(() => XonMessage.Decode([1, 0, 0, 0, 0]));
        Assert.Throws<CellFormatException>(() => XoffMessage.Decode([1]));
        Assert.Throws<CellFormatException>(() => XonMessage.Decode([0, 1]));
        Assert.Equal((RelayCommand)43, RelayCommand.Xoff);
        Assert.Equal((RelayCommand)44, RelayCommand.Xon);
    }
}
