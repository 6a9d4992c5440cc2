using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Burrow.Tor.Crypto;

namespace Burrow.Bench;

/// <summary>Relay-cell crypto ("tor1") for a 3-hop circuit, per 509-byte cell: what a client does for
/// every cell it sends (3 AES layers + the exit hop's running digest) and receives.
/// MB/s = 509 bytes x OperationsPerInvoke / mean time.</summary>
[MemoryDiagnoser]
public class RelayCryptoBenchmarks
{
    private const int Cells = 1000;
    private Tor1CircuitCrypto _client = null!;
    private Tor1CircuitCrypto _exitSide = null!;
    private readonly byte[] _body = new byte[509];

    [GlobalSetup]
    public void Setup()
    {
        _client = new Tor1CircuitCrypto();
        _exitSide = new Tor1CircuitCrypto();
        for (var i = 0; i < 3; i++)
        {
            var keys = CircuitKeys.FromRfc5869Layout(RandomNumberGenerator.GetBytes(92));
            _client.AddHop(keys);
            // The exit's view, as the crypto tests build it: the client's keys with directions swapped.
            _exitSide.AddHop(keys.WithDirectionsSwapped());
        }
        RandomNumberGenerator.Fill(_body);
    }

    [Benchmark(OperationsPerInvoke = Cells)]
    public void EncryptOutbound3Hops()
    {
        for (var i = 0; i < Cells; i++)
        {
            _body[1] = 0; _body[2] = 0;
            _client.EncryptOriginated(_body, 2);
        }
    }

    [Benchmark(OperationsPerInvoke = Cells)]
    public int DecryptInbound3Hops()
    {
        var recognized = 0;
        for (var i = 0; i < Cells; i++)
        {
            _body[1] = 0; _body[2] = 0;
            _exitSide.EncryptOriginated(_body, 2);
            if (_client.TryDecryptInbound(_body, out _)) recognized++;
        }
        if (recognized != Cells) throw new InvalidOperationException("inbound cells were not recognized");
        return recognized;
    }
}
