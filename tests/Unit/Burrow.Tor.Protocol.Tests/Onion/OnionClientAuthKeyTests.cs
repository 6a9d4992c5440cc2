using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Tests.Onion;

public class OnionClientAuthKeyTests
{
    private const string Address = "paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad";

    [Fact]
    public void ParsesTheClientOnionAuthDirLine()
    {
        var sk = OnionVectors.Hex("hsdesc_decryption_keys.txt", "[hsdesc2.txt]", "client_desc_enc_seckey");
        var line = $"{Address}:descriptor:x25519:{OnionAddress.Base32Encode(sk).ToUpperInvariant()}";
        var key = OnionClientAuthKey.Parse(line);
        Assert.Equal(sk, key.PrivateKey);
        Assert.Equal(Address + ".onion", key.Address.Host);
        Assert.Equal(key.PrivateKey, OnionClientAuthKey.Parse(key.ToFileLine()).PrivateKey);
        Assert.Equal(sk, OnionClientAuthKey.Parse($"{Address}.onion:descriptor:x25519:{OnionAddress.Base32Encode(sk)}").PrivateKey);
    }

    [Theory]
    [InlineData(Address + ":descriptor:x25519", "expected")]
    [InlineData(Address + ":intro:x25519:SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "auth type")]
    [InlineData(Address + ":descriptor:ed25519:SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "key type")]
    [InlineData(Address + ":descriptor:x25519:SAAA", "base32")]
    [InlineData("paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoae:descriptor:x25519:SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "version")]
    public void MalformedLinesNameTheProblem(string line, string reason)
    {
        var e = Assert.Throws<OnionException>(() => OnionClientAuthKey.Parse(line, "x.auth_private"));
        Assert.Equal(OnionErrorKind.InvalidClientAuthKey, e.Kind);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("x.auth_private", e.Message, StringComparison.Ordinal);
    }
}
