namespace OpsPortal.Web.Components.Layout;

/// <summary>
/// The browser's light/dark setting, which shell.js writes to a cookie so the server can render the first
/// paint in it (a prerender cannot ask the browser).
/// </summary>
public static class SystemTheme
{
    public const string Cookie = "ops-system-theme";

    public static bool? FromCookie(HttpContext? context) => context?.Request.Cookies[Cookie] switch
    {
        "dark" => true,
        "light" => false,
        _ => null,
    };
}
