using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

/// <summary>[arti.onion]: the client-authorization directory and the test-network time periods, read and written back.</summary>
public class OnionPayloadTests
{
    [Fact]
    public void OnionKeysAreReadAndWrittenBack()
    {
        var options = Parse("[arti.onion]\nclient_auth_dir = \"/var/lib/burrow/onion-auth\"\ntesting_time_periods = true\n");
        Assert.Equal("/var/lib/burrow/onion-auth", options.Arti.OnionClientAuthDir);
        Assert.True(options.Arti.OnionTestingTimePeriods);
        var again = Parse(Burrow.Core.Configuration.PayloadWriter.ToToml(options));
        Assert.Equal("/var/lib/burrow/onion-auth", again.Arti.OnionClientAuthDir);
        Assert.True(again.Arti.OnionTestingTimePeriods);
    }

    [Fact]
    public void WithoutTheTableThereIsNoKeyDirectoryAndRealTimePeriods()
    {
        var options = Parse("mtu = 1400\n");
        Assert.Null(options.Arti.OnionClientAuthDir);
        Assert.False(options.Arti.OnionTestingTimePeriods);
    }

    [Fact]
    public void AnEmptyDirectoryPathIsRefused()
    {
        var e = Fail("[arti.onion]\nclient_auth_dir = \"\"\n");
        Assert.Equal("arti.onion.client_auth_dir", e.KeyPath);
    }
}
