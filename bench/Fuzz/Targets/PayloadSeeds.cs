using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Burrow.Fuzz.Targets;

/// <summary>Payload seeds: the fenced TOML and JSON examples of docs/payload.md (so the seeds follow the documented
/// schema as it grows), each also rendered as JSON, plus a few shapes the docs do not show.</summary>
internal static partial class PayloadSeeds
{
    public static IEnumerable<string> Toml(SeedData data) =>
        Blocks(data, "toml").Concat(
        [
            "",
            "mtu = 1300\nisolate = []\n[dns]\nenable = true\nlisten = \"127.0.0.1:5353\"\n",
            "address = [\"100.64.0.9\", \"fd00::9\"]\n[upstream]\nkind = \"socks5\"\naddress = \"127.0.0.1:9050\"\n",
            "[redirect]\ninstall = true\nsources = [\"10.0.0.0/8\"]\nexempt_users = [0, \"root\"]\n",
        ]);

    public static IEnumerable<string> Json(SeedData data)
    {
        foreach (var block in Blocks(data, "json"))
            yield return block;
        foreach (var toml in Toml(data))
        {
            string? json = null;
            try
            {
                json = JsonSerializer.Serialize(Tomlyn.TomlSerializer.Deserialize<Tomlyn.Model.TomlTable>(toml));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not every example converts (a TOML date-time has no JSON form); the others are enough.
            }
            if (json is not null)
                yield return json;
        }
        yield return "{ \"mtu\": 1400, // a comment\n \"tcp_stack\": { \"listen\": \"[::1]:9040\", }, }";
        yield return "{\"recovery\": {\"pflog_fallback\": true}, \"arti\": {\"path_rules\": {\"ipv4_subnet_family_prefix\": 33}}}";
    }

    private static IEnumerable<string> Blocks(SeedData data, string language)
    {
        var doc = data.Repo("docs/payload.md");
        foreach (Match m in FencedBlock().Matches(doc))
            if (m.Groups[1].Value == language)
                yield return m.Groups[2].Value;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [GeneratedRegex("^```(\\w+)\\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
