using MudBlazor;
using MudBlazor.Utilities;
using OpsPortal.Web.Components.Layout;

namespace OpsPortal.Tests.Web;

/// <summary>
/// Filled buttons and chips put the palette's contrast text on the colour and, under the pointer, on its
/// "darken" shade. axe-core in the e2e suite only sees the hover shade when the mouse happens to rest on a
/// button, so every pair is checked here against WCAG AA (4.5:1) for both themes.
/// </summary>
public sealed class ThemeContrastTests
{
    public static TheoryData<string, string, string, string> FilledPairs()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (theme, palette) in new (string, Palette)[] { ("light", OpsTheme.Theme.PaletteLight), ("dark", OpsTheme.Theme.PaletteDark) })
        {
            foreach (var (name, colour, darken, text) in Colours(palette))
            {
                data.Add(theme, name, colour, text);
                data.Add(theme, name + "Darken", darken, text);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FilledPairs))]
    public void FilledColour_WithItsContrastText_MeetsAA(string theme, string name, string background, string text)
    {
        var ratio = ContrastRatio(background, text);
        Assert.True(ratio >= 4.5, $"{theme} {name} {background} with text {text}: contrast {ratio:F2} < 4.5");
    }

    [Theory]
    [InlineData("#ffffff", "#000000", 21.0)]
    [InlineData("#0d1117", "#1471df", 4.02)]
    [InlineData("#777777", "#ffffff", 4.48)]
    public void ContrastRatio_MatchesTheWcagFormula(string a, string b, double expected) =>
        Assert.Equal(expected, ContrastRatio(a, b), 2);

    private static IEnumerable<(string Name, string Colour, string Darken, string Text)> Colours(Palette p) =>
    [
        ("Primary", p.Primary.Value, p.PrimaryDarken, p.PrimaryContrastText.Value),
        ("Secondary", p.Secondary.Value, p.SecondaryDarken, p.SecondaryContrastText.Value),
        ("Tertiary", p.Tertiary.Value, p.TertiaryDarken, p.TertiaryContrastText.Value),
        ("Info", p.Info.Value, p.InfoDarken, p.InfoContrastText.Value),
        ("Success", p.Success.Value, p.SuccessDarken, p.SuccessContrastText.Value),
        ("Warning", p.Warning.Value, p.WarningDarken, p.WarningContrastText.Value),
        ("Error", p.Error.Value, p.ErrorDarken, p.ErrorContrastText.Value),
    ];

    private static double ContrastRatio(string a, string b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string colour)
    {
        var c = new MudColor(colour);
        return 0.2126 * Channel(c.R) + 0.7152 * Channel(c.G) + 0.0722 * Channel(c.B);
    }

    private static double Channel(byte value)
    {
        var s = value / 255.0;
        return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
    }
}
