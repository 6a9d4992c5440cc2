using System.Net;
using Burrow.Tor.Channels;
using Burrow.Tor.Identities;
using Burrow.Tor.Tests.Client;
using Burrow.Tor.Tests.Crypto;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Tests.Channels;

/// <summary>Clock skew from NETINFO (issue 16 item 4): measured, logged, reported, and named in certificate errors.</summary>
public class ClockSkewTests
{
    private static readonly ChannelTarget Relay = new(new IPEndPoint(IPAddress.Loopback, 9001), new RsaIdentity(new byte[20]));

    [Fact]
    public void The_median_decides_and_one_lying_relay_raises_no_warning()
    {
        var logger = new ListLogger();
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var monitor = new ClockSkewMonitor(logger, () => now);
        Assert.Null(monitor.Median);
        Assert.Null(monitor.Warning);
        monitor.Record(Relay, TimeSpan.FromSeconds(2));
        monitor.Record(Relay, TimeSpan.FromDays(-3));
        monitor.Record(Relay, TimeSpan.FromSeconds(-1));
        Assert.Equal(TimeSpan.FromSeconds(-1), monitor.Median);
        Assert.Null(monitor.Warning);
        Assert.Empty(logger.At(LogLevel.Warning));
    }

    [Fact]
    public void A_skewed_clock_is_warned_about_once_per_hour_and_reported()
    {
        var logger = new ListLogger();
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var monitor = new ClockSkewMonitor(logger, () => now);
        monitor.Record(Relay, TimeSpan.FromHours(2));
        monitor.Record(Relay, TimeSpan.FromHours(2));
        Assert.Null(monitor.Warning); // two relays' word is not enough
        Assert.Empty(logger.At(LogLevel.Warning));
        for (var i = 0; i < 3; i++)
            monitor.Record(Relay, TimeSpan.FromHours(2) + TimeSpan.FromSeconds(i));
        var warning = Assert.Single(logger.At(LogLevel.Warning));
        Assert.Contains("2 h 0 min behind the relays'", warning);
        Assert.Contains("median of 3 relays", warning);
        Assert.Contains("median of 5 relays", monitor.Warning);
        now = now.AddHours(1);
        monitor.Record(Relay, TimeSpan.FromHours(2));
        Assert.Equal(2, logger.At(LogLevel.Warning).Count());

        // Bounded: only the last MaxSamples count.
        for (var i = 0; i < ClockSkewMonitor.MaxSamples; i++)
            monitor.Record(Relay, TimeSpan.FromSeconds(1));
        Assert.Equal(ClockSkewMonitor.MaxSamples, monitor.SampleCount);
        Assert.Null(monitor.Warning);
    }

    [Theory]
    [InlineData(40, "ahead of the relays'")]
    public async Task Certificates_refused_only_because_our_clock_is_off_say_so(int daysAhead, string expected)
    {
        var ours = DateTimeOffset.UtcNow.AddDays(daysAhead);
        var error = await FakeRelay.HandshakeFailsAsync(options: ChannelOptions.Default with { Clock = () => ours });
        Assert.Equal(ChannelErrorKind.HandshakeFailed, error.Kind);
        Assert.Contains("expired", error.Message);
        Assert.Contains("by the relay's clock", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("check it", error.Message);
    }

    [Fact]
    public async Task Certificates_expired_by_both_clocks_get_no_clock_hint()
    {
        var error = await FakeRelay.HandshakeFailsAsync(certs: relay =>
        {
            var old = new TestCertFactory.Chain(DateTimeOffset.UtcNow.AddDays(-30));
            return [(2, old.IdCert), (4, old.SigningCert), (5, old.LinkCert), (7, old.CrossCert)];
        });
        Assert.Contains("expired", error.Message);
        Assert.DoesNotContain("relay's clock", error.Message);
    }
}
