namespace Burrow.Tor.Protocol.Onion;

/// <summary>"pow-params" of the inner layer (prop 327 / rend-spec-v3 "pow-params"): type, seed, suggested effort, expiry.</summary>
internal sealed record OnionPowParams(string Type, byte[] Seed, uint SuggestedEffort, DateTimeOffset? Expires);
