using ScottPlot;
using SkiaSharp;

namespace Burrow.Soak;

/// <summary>soak.png: four stacked panels sharing the time axis (RSS, fds, open flows, cumulative completed and
/// failed flows), with the end of the warm-up and the end of the load marked on each.</summary>
internal static class SoakPlot
{
    public const string FileName = "soak.png";
    private const int Width = 1100;
    private const int PanelHeight = 260;
    // Fixed margins so the four data areas line up on the shared time axis.
    private static readonly PixelPadding Margins = new(left: 80, right: 30, bottom: 40, top: 34);

    /// <summary>Writes the PNG; false (and why) when it cannot be rendered, e.g. SkiaSharp's native library is
    /// missing. The plot is a convenience: a soak must never fail because of it.</summary>
    public static bool TryWrite(IReadOnlyList<Sample> rows, double? warmUpEndT, double? loadEndT, string pngPath, out string? why)
    {
        try
        {
            Write(rows, warmUpEndT, loadEndT, pngPath);
            why = null;
            return true;
        }
        // Broad on purpose: a missing native library surfaces as DllNotFoundException, TypeInitializationException
        // or EntryPointNotFoundException depending on where it is first touched, and none of it may end the run.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var root = e;
            while (root.InnerException != null) root = root.InnerException;
            // First lines only: the loader's message lists every path it tried, and this goes into one line of results.md.
            static string First(string m) => m.Split('\n', 2)[0].Trim();
            why = root == e ? $"{e.GetType().Name}: {First(e.Message)}" : $"{e.GetType().Name}: {First(e.Message)} ({root.GetType().Name}: {First(root.Message)})";
            return false;
        }
    }

    private static void Write(IReadOnlyList<Sample> rows, double? warmUpEndT, double? loadEndT, string pngPath)
    {
        if (rows.Count == 0) throw new ArgumentException("no samples to plot", nameof(rows));
        var t = rows.Select(r => r.TSeconds).ToArray();
        var xMax = Math.Max(t[^1], 1);
        var panels = new (string YLabel, (string Legend, double[] Y, Color Color)[] Series)[]
        {
            ("RSS (MB)", [("RSS", rows.Select(r => r.RssMb).ToArray(), Colors.C0)]),
            ("open fds", [("fds", rows.Select(r => (double)r.Fds).ToArray(), Colors.C1)]),
            ("open flows (Burrow)", [("open flows", rows.Select(r => (double)r.OpenFlows).ToArray(), Colors.C2)]),
            ("flows (cumulative)", [
                ("completed", rows.Select(r => (double)r.FlowsDone).ToArray(), Colors.C0),
                ("failed", rows.Select(r => (double)r.FlowsFailed).ToArray(), Colors.C3)]),
        };

        using var surface = SKSurface.Create(new SKImageInfo(Width, PanelHeight * panels.Length))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface");
        for (var i = 0; i < panels.Length; i++)
        {
            var plot = new Plot();
            var (yLabel, series) = panels[i];
            foreach (var (legend, y, color) in series)
            {
                var s = plot.Add.Scatter(t, y, color);
                // A legend only where a panel has more than one line; the y label names a lone one.
                if (series.Length > 1) s.LegendText = legend;
                s.MarkerSize = 3;
                s.LineWidth = 2;
            }
            Mark(plot, warmUpEndT, "warm-up ends", Colors.Gray, i == 0);
            Mark(plot, loadEndT, "load ends", Colors.Black, i == 0);
            plot.YLabel(yLabel);
            // No title: the top panel's marker labels sit where it would go.
            if (i == panels.Length - 1) plot.XLabel("time (s) - soak samples every 5 s; the last point is after the drain and a forced GC");
            plot.Axes.SetLimitsX(0, xMax * 1.02);
            var yMax = series.Max(s => s.Y.Max());
            plot.Axes.SetLimitsY(0, Math.Max(1, yMax) * 1.1);
            if (series.Length > 1) plot.ShowLegend(Alignment.UpperLeft);
            plot.Layout.Fixed(Margins);
            // Each panel on its own surface: Plot.Render clears the whole canvas it is given, not just its rectangle.
            using var panel = SKSurface.Create(new SKImageInfo(Width, PanelHeight))
                ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface");
            plot.Render(panel.Canvas, Width, PanelHeight);
            using var panelImage = panel.Snapshot();
            surface.Canvas.DrawImage(panelImage, 0, PanelHeight * i);
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG");
        using var file = File.Create(pngPath);
        png.SaveTo(file);
    }

    private static void Mark(Plot plot, double? x, string label, Color color, bool withLabel)
    {
        if (x is not { } at) return;
        var line = plot.Add.VerticalLine(at, 1.5f, color, LinePattern.Dashed);
        if (!withLabel) return;
        line.Text = label;
        // At the top edge: at the bottom the label would cover the time axis' tick labels.
        line.LabelOppositeAxis = true;
    }
}
