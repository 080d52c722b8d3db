using MudBlazor;

namespace OpsPortal.Web.Components.Layout;

/// <summary>
/// Colours chosen so every text/background pair meets WCAG AA (4.5:1) in both themes, including white or
/// dark text on filled buttons and chips; the e2e AccessibilityTests run axe-core on every page to hold it.
/// </summary>
public static class OpsTheme
{
    // System fonts: the portal must look right on a machine with no internet access.
    private static readonly string[] Fonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    private const string DarkInk = "#0d1117";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0969da",
            Secondary = "#bf3989",
            Tertiary = "#8250df",
            Info = "#0550ae",
            Success = "#1a7f37",
            Warning = "#9a6700",
            Error = "#cf222e",
            TextSecondary = "#57606a",
            AppbarBackground = "#0d1117",
            Background = "#f6f8fa",
        },
        PaletteDark = new PaletteDark
        {
            // Light colours on a dark page: filled buttons and chips carry dark text.
            Primary = "#58a6ff",
            PrimaryContrastText = DarkInk,
            Secondary = "#f778ba",
            SecondaryContrastText = DarkInk,
            Tertiary = "#bc8cff",
            TertiaryContrastText = DarkInk,
            Info = "#79c0ff",
            InfoContrastText = DarkInk,
            Success = "#3fb950",
            SuccessContrastText = DarkInk,
            Warning = "#d29922",
            WarningContrastText = DarkInk,
            Error = "#ff7b72",
            ErrorContrastText = DarkInk,
            TextSecondary = "#9da7b3",
            AppbarBackground = "#010409",
            Background = "#0d1117",
            Surface = "#161b22",
            DrawerBackground = "#0d1117",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts },
        },
    };
}
