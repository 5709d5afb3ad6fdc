using System.Globalization;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>An inline SVG bar chart with a title, a description, a value axis, a tooltip per bar and the same numbers as a table for screen readers.</summary>
internal static class BarChart
{
    private const double Width = 560;
    private const double Height = 200;
    private const double Left = 56;
    private const double Bottom = 28;
    private const double Top = 12;

    public static void Render(DashboardPage page, string id, string title, string unit, IReadOnlyList<Bar> bars)
    {
        var html = page.Html;
        var max = bars.Select(b => b.Value).DefaultIfEmpty(0m).Max();
        var ceiling = max <= 0 ? 1m : max;
        var plotHeight = Height - Bottom - Top;
        var slot = bars.Count == 0 ? 0 : (Width - Left - 8) / bars.Count;
        html.Raw("<figure class=\"chart\"").Attr("id", id).Raw("><figcaption>").Text(title).Raw("</figcaption>")
            .Raw("<svg viewBox=\"0 0 ").Raw(HtmlWriter.Svg(Width)).Raw(" ").Raw(HtmlWriter.Svg(Height)).Raw("\" role=\"img\"").Attr("aria-labelledby", id + "-title " + id + "-desc").Raw(">")
            .Raw("<title").Attr("id", id + "-title").Raw(">").Text(title).Raw("</title>")
            .Raw("<desc").Attr("id", id + "-desc").Raw(">").Text(bars.Count == 0 ? "No data." : $"{bars.Count} bars from {bars[0].Label} to {bars[^1].Label}; highest {max.ToString("0.##", CultureInfo.InvariantCulture)} {unit}.").Raw("</desc>");
        for (var tick = 0; tick <= 4; tick++)
        {
            var y = Top + (plotHeight * (4 - tick) / 4);
            var value = ceiling * tick / 4;
            html.Raw("<line class=\"grid\" x1=\"").Raw(HtmlWriter.Svg(Left)).Raw("\" x2=\"").Raw(HtmlWriter.Svg(Width - 4)).Raw("\" y1=\"").Raw(HtmlWriter.Svg(y)).Raw("\" y2=\"").Raw(HtmlWriter.Svg(y)).Raw("\"/>")
                .Raw("<text class=\"axis\" x=\"").Raw(HtmlWriter.Svg(Left - 6)).Raw("\" y=\"").Raw(HtmlWriter.Svg(y + 4)).Raw("\" text-anchor=\"end\">").Text(value.ToString("0.##", CultureInfo.InvariantCulture)).Raw("</text>");
        }

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var h = (double)(bar.Value / ceiling) * plotHeight;
            var x = Left + (i * slot) + (slot * 0.15);
            html.Raw("<rect class=\"bar\" x=\"").Raw(HtmlWriter.Svg(x)).Raw("\" y=\"").Raw(HtmlWriter.Svg(Top + plotHeight - h)).Raw("\" width=\"").Raw(HtmlWriter.Svg(Math.Max(1, slot * 0.7))).Raw("\" height=\"").Raw(HtmlWriter.Svg(Math.Max(0, h))).Raw("\">")
                .Raw("<title>").Text($"{bar.Label}: {bar.Value.ToString("0.####", CultureInfo.InvariantCulture)} {unit}").Raw("</title></rect>");
            if (bars.Count <= 12 || i % 5 == 0 || i == bars.Count - 1)
            {
                html.Raw("<text class=\"axis\" x=\"").Raw(HtmlWriter.Svg(x + (slot * 0.35))).Raw("\" y=\"").Raw(HtmlWriter.Svg(Height - 10)).Raw("\" text-anchor=\"middle\">").Text(bar.Label).Raw("</text>");
            }
        }

        html.Raw("</svg><details><summary>").Text(title).Raw(" as a table</summary><table><thead><tr><th scope=\"col\">Period</th><th scope=\"col\" class=\"num\">").Text(unit).Raw("</th></tr></thead><tbody>");
        foreach (var bar in bars)
        {
            html.Raw("<tr><th scope=\"row\">").Text(bar.Label).Raw("</th>").Cell(bar.Value.ToString("0.####", CultureInfo.InvariantCulture), "num").Raw("</tr>");
        }

        html.Raw("</tbody></table></details></figure>");
    }

    /// <summary>One bar.</summary>
    internal sealed record Bar(string Label, decimal Value);
}
