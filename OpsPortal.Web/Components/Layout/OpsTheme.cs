using MudBlazor;

namespace OpsPortal.Web.Components.Layout;

public static class OpsTheme
{
    // System fonts: the portal must look right on a machine with no internet access.
    private static readonly string[] Fonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f6feb",
            AppbarBackground = "#0d1117",
            Background = "#f6f8fa",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#58a6ff",
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
