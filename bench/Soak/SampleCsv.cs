using System.Globalization;

namespace Burrow.Soak;

/// <summary>Reads samples.csv back (the format <see cref="Sampler"/> writes), so a finished run can be re-plotted.</summary>
internal static class SampleCsv
{
    public const string Header = "t_seconds,flows_done,flows_failed,bytes,rss_mb,fds,threads,open_flows";
    /// <summary>A 24 h soak at one row every 5 s is 17,280 rows; anything far past that is not a soak's file.</summary>
    private const int MaxRows = 1_000_000;

    public static List<Sample> Read(string path)
    {
        var rows = new List<Sample>();
        using var reader = new StreamReader(path);
        var header = reader.ReadLine();
        if (header?.Trim() != Header)
            throw new InvalidDataException($"{path}: first line is '{header}', expected the header '{Header}'");
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0) continue;
            if (rows.Count >= MaxRows) throw new InvalidDataException($"{path}: more than {MaxRows} rows");
            var f = line.Split(',');
            if (f.Length != 8)
                throw new InvalidDataException($"{path} line {lineNo}: {f.Length} fields, expected 8 ({Header})");
            try
            {
                rows.Add(new Sample(D(f[0]), L(f[1]), L(f[2]), L(f[3]), D(f[4]), I(f[5]), I(f[6]), I(f[7])));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path} line {lineNo}: '{line}' is not numbers ({e.Message})", e);
            }
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no rows after the header");
        return rows;

        static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        static long L(string s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
        static int I(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
