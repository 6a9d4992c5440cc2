using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Tests.Onion;

public class OnionKeyBlindingTests
{
    private const string File = "hs_address_blinding_subcredential.txt";
    private const string Section = "[time period + key blinding]";

    private static byte[] V(string name) => OnionVectors.Hex(File, Section, name);

    [Fact]
    public void TimePeriodMatchesTheSpecExample()
    {
        // rend-spec-v3 2.2.1: 2016-04-13 11:15:01 UTC is in period 16903, which began 2016-04-12 12:00 UTC.
        var p = TimePeriod.At(DateTimeOffset.FromUnixTimeSeconds(1460546101));
        Assert.Equal(16903UL, p.Number);
        Assert.Equal(new DateTimeOffset(2016, 4, 12, 12, 0, 0, TimeSpan.Zero), p.Start);
        Assert.Equal(new DateTimeOffset(2016, 4, 13, 12, 0, 0, TimeSpan.Zero), p.End);
    }

    [Fact]
    public void TimePeriodOfTheBlindingVector()
    {
        Assert.Equal(1234UL, TimePeriod.At(new DateTimeOffset(1973, 5, 20, 1, 50, 33, TimeSpan.Zero)).Number);
    }

    [Fact]
    public void BlindingFactorBlindedKeyAndSubcredentialMatchTheVector()
    {
        var id = V("identity_pubkey");
        var period = new TimePeriod(1234, 1440, 720);
        Assert.Equal(V("blinding_param h"), OnionKeyBlinding.BlindingFactor(id, period));
        var blinded = OnionKeyBlinding.BlindPublicKey(id, period);
        Assert.Equal(V("blinded_pubkey"), blinded);
        Assert.Equal(V("subcredential"), OnionKeyBlinding.Subcredential(id, blinded));
    }

    [Fact]
    public void BlindedKeyOfHsdesc2MatchesItsCertificate()
    {
        var id = Convert.FromHexString("781d978ce6ce9caa8bca306f53e82d2c993e5c91346625f1c151dcfc56d753d3");
        var blinded = OnionKeyBlinding.BlindPublicKey(id, new TimePeriod(19397, 1440, 720));
        Assert.Equal(Convert.FromHexString("706628758208395d461aa0f460a5e76e7b828c66b5e794768592b451302e961d"), blinded);
        Assert.Equal(OnionVectors.Hex("hsdesc_decryption_keys.txt", "[hsdesc2.txt]", "subcredential"), OnionKeyBlinding.Subcredential(id, blinded));
    }

    [Fact]
    public void AnotherPeriodGivesAnotherKey()
    {
        var id = V("identity_pubkey");
        Assert.NotEqual(OnionKeyBlinding.BlindPublicKey(id, new TimePeriod(1234, 1440, 720)), OnionKeyBlinding.BlindPublicKey(id, new TimePeriod(1235, 1440, 720)));
    }
}
