using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using NodaTime;
using NodaTime.Text;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>
/// Builds the dashboard's HTML. Every text and attribute value goes through <see cref="HtmlEncoder"/>; only the
/// dashboard's own markup is written raw. Components never receive a key value, only views with display hints.
/// </summary>
internal sealed class HtmlWriter
{
    private static readonly InstantPattern Pattern = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm' UTC'");
    private readonly StringBuilder _html = new(16 * 1024);

    /// <summary>Writes the dashboard's own markup, unencoded.</summary>
    public HtmlWriter Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Writes text, HTML-encoded.</summary>
    public HtmlWriter Text(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _html.Append(HtmlEncoder.Default.Encode(text));
        }

        return this;
    }

    /// <summary>Writes <c>name="value"</c> with the value encoded, preceded by a space.</summary>
    public HtmlWriter Attr(string name, string? value)
    {
        _html.Append(' ').Append(name).Append("=\"").Append(HtmlEncoder.Default.Encode(value ?? string.Empty)).Append('"');
        return this;
    }

    /// <summary>Writes an element with encoded text content: <c>&lt;tag class="…"&gt;text&lt;/tag&gt;</c>.</summary>
    public HtmlWriter Element(string tag, string? text, string? cssClass = null)
    {
        _html.Append('<').Append(tag);
        if (cssClass is not null)
        {
            Attr("class", cssClass);
        }

        _html.Append('>');
        Text(text);
        _html.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>Writes a table cell with encoded text.</summary>
    public HtmlWriter Cell(string? text, string? cssClass = null) => Element("td", text, cssClass);

    /// <summary>Writes a table cell with an instant, or a dash.</summary>
    public HtmlWriter Cell(Instant? instant) => Cell(Format(instant), "time");

    /// <summary>Writes a link.</summary>
    public HtmlWriter Link(string href, string text, string? cssClass = null)
    {
        _html.Append("<a");
        Attr("href", href);
        if (cssClass is not null)
        {
            Attr("class", cssClass);
        }

        _html.Append('>');
        Text(text);
        _html.Append("</a>");
        return this;
    }

    /// <summary>Formats an instant as <c>2026-11-02 09:00 UTC</c>, or a dash.</summary>
    public static string Format(Instant? instant) => instant is { } i && i.InUtc().Year < 9999 ? Pattern.Format(i) : "—";

    /// <summary>Formats a duration as whole days or hours.</summary>
    public static string Format(Duration? duration) => duration switch
    {
        null => "—",
        { TotalDays: >= 1 } d => Number((long)Math.Floor(d.TotalDays)) + " d",
        { } d => Number((long)Math.Floor(d.TotalHours)) + " h",
    };

    /// <summary>Formats a count with thousands separators.</summary>
    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Formats an amount of money.</summary>
    public static string Money(decimal value, string currency) => value.ToString("#,0.00##", CultureInfo.InvariantCulture) + " " + currency;

    /// <summary>Formats a number for an SVG attribute.</summary>
    public static string Svg(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public override string ToString() => _html.ToString();
}
