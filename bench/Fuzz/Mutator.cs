namespace Burrow.Fuzz;

/// <summary>A small deterministic byte mutator for the in-process smoke (no AFL there): bit flips, interesting
/// values, inserted/deleted/duplicated runs, splices of two seeds and ASCII-digit tweaks, stacked 1 to 8 deep.</summary>
public sealed class Mutator(int seed, int maxLength)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF, (byte)'\n', (byte)' ', (byte)'-', (byte)'=', (byte)':', (byte)'0', (byte)'9'];
    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> pool)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(8);
        for (var i = 0; i < rounds; i++)
            MutateOnce(data, pool);
        if (data.Count > maxLength)
            data.RemoveRange(maxLength, data.Count - maxLength);
        return [.. data];
    }

    private void MutateOnce(List<byte> d, IReadOnlyList<byte[]> pool)
    {
        var at = d.Count == 0 ? 0 : _random.Next(d.Count);
        switch (_random.Next(11))
        {
            case 0 when d.Count > 0:
                d[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when d.Count > 0:
                d[at] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2 when d.Count > 0:
                d[at] = (byte)_random.Next(256);
                break;
            case 3 when d.Count > 0:
                d.RemoveRange(at, Math.Min(d.Count - at, 1 + _random.Next(16)));
                break;
            case 4:
                for (var n = 1 + _random.Next(8); n > 0; n--)
                    d.Insert(at, (byte)_random.Next(256));
                break;
            case 5 when d.Count > 0:
                // Duplicate a run: repeated items, lines and cells.
                var len = Math.Min(d.Count - at, 1 + _random.Next(64));
                d.InsertRange(at, d.GetRange(at, len));
                break;
            case 6 when pool.Count > 0:
                // Splice: this input's head, another's tail.
                var other = pool[_random.Next(pool.Count)];
                if (other.Length > 0)
                {
                    var from = _random.Next(other.Length);
                    d.RemoveRange(at, d.Count - at);
                    d.AddRange(other.AsSpan(from, Math.Min(other.Length - from, 4096)).ToArray());
                }
                break;
            case 7 when d.Count > 1:
                // Big-endian length fields: set a 16-bit word to an edge value.
                var word = _random.Next(4) switch { 0 => 0, 1 => 0xFFFF, 2 => 0x8000, _ => _random.Next(0x10000) };
                d[at] = (byte)(word >> 8);
                if (at + 1 < d.Count)
                    d[at + 1] = (byte)word;
                break;
            case 8 when d.Count > 0:
                // Numbers in text documents: make a digit run huge, negative or empty.
                var start = d.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                if (start >= 0)
                {
                    var end = start;
                    while (end < d.Count && d[end] is >= (byte)'0' and <= (byte)'9')
                        end++;
                    d.RemoveRange(start, end - start);
                    var text = _random.Next(5) switch
                    {
                        0 => "99999999999999999999",
                        1 => "-1",
                        2 => "",
                        3 => "2147483648",
                        _ => "0",
                    };
                    d.InsertRange(start, System.Text.Encoding.ASCII.GetBytes(text));
                }
                break;
            case 9 when d.Count > 0:
                // Cut the input short: truncated documents and cells.
                d.RemoveRange(at, d.Count - at);
                break;
            default:
                // Swap two lines (or chunks) so order rules are exercised.
                var nl = d.IndexOf((byte)'\n', at);
                if (nl > at && nl + 1 < d.Count)
                {
                    var tail = d.GetRange(nl + 1, d.Count - nl - 1);
                    var head = d.GetRange(at, nl + 1 - at);
                    d.RemoveRange(at, d.Count - at);
                    d.AddRange(tail);
                    d.AddRange(head);
                }
                break;
        }
    }
}
