using Burrow.Core.Redirect;

namespace Burrow.Core.Tests.Redirect;

/// <summary>What the session reads back from nft, without a kernel.</summary>
public class NftablesSessionParsingTests
{
    [Fact]
    public void CountersAreReadFromNftsJson()
    {
        // As nft 1.0.6 prints `list counters table inet burrow_edge` with NFT_CTX_OUTPUT_JSON.
        const string json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
             {"counter": {"family": "inet", "name": "redirected_tcp_v4", "table": "burrow_edge", "handle": 3, "packets": 7, "bytes": 420}},
             {"counter": {"family": "inet", "name": "dropped_udp", "table": "burrow_edge", "handle": 4, "packets": 1, "bytes": 32}}]}
            """;
        var counters = NftablesSession.ParseCounters(json);
        Assert.Equal(2, counters.Count);
        Assert.Equal(new NftCounter(7, 420), counters[NftCounterNames.RedirectedTcpV4]);
        Assert.Equal(new NftCounter(1, 32), counters[NftCounterNames.DroppedUdp]);
    }

    [Fact]
    public void JsonWithoutTheNftablesArrayIsAnError()
        => Assert.Throws<FormatException>(() => NftablesSession.ParseCounters("""{"other": []}"""));

    [Theory]
    [InlineData("Error: Could not process rule: Operation not supported\nadd table inet burrow_probe_1 { flags owner; }\n^^^^", true)]
    [InlineData("Error: syntax error, unexpected string\nadd table inet burrow_probe_1 { flags owner; }\n                                     ^^^^^", true)] // nft < 0.9.9 echoes the line
    [InlineData("Error: Could not process rule: Operation not permitted\n", false)]
    [InlineData("Error: Could not process rule: No such file or directory\n", false)]
    [InlineData(null, false)]
    public void AnOldKernelsAnswerToTheOwnerFlagIsRecognised(string? message, bool unsupported)
        => Assert.Equal(unsupported, NftablesSession.IsOwnerUnsupported(message));
}
