using System.Net;
using Microsoft.Extensions.Options;

namespace OpsPortal.Web.Security;

/// <summary>The <c>OpsPortal:Http</c> section: how the portal sits behind proxies and TLS (docs/security.md).</summary>
public sealed class HttpSecurityOptions
{
    public const string Section = "OpsPortal:Http";

    /// <summary>
    /// The address people use, e.g. <c>https://ops.example.com</c>. With https, plain-HTTP requests are
    /// redirected there, HSTS is sent and cookies are Secure-only. Also an accepted origin for the live connection.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Proxies (IP addresses, comma-separated) whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed.</summary>
    public string? KnownProxies { get; set; }

    /// <summary>Networks (CIDR, comma-separated) whose forwarded headers are believed.</summary>
    public string? KnownNetworks { get; set; }

    internal Uri? PublicUri => Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) ? uri : null;

    internal bool RequireHttps => PublicUri?.Scheme == Uri.UriSchemeHttps;

    internal IEnumerable<IPAddress> Proxies => Split(KnownProxies).Select(IPAddress.Parse);

    internal IEnumerable<System.Net.IPNetwork> Networks => Split(KnownNetworks).Select(System.Net.IPNetwork.Parse);

    internal static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class HttpSecurityOptionsValidator : IValidateOptions<HttpSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpSecurityOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicUrl)
            && options.PublicUri is not { Scheme: "http" or "https", AbsolutePath: "/", Query: "" })
        {
            return ValidateOptionsResult.Fail(
                $"OpsPortal:Http:PublicUrl must be an http(s) address without a path, such as https://ops.example.com (got '{options.PublicUrl}').");
        }
        var badProxy = HttpSecurityOptions.Split(options.KnownProxies).FirstOrDefault(p => !IPAddress.TryParse(p, out _));
        if (badProxy is not null)
        {
            return ValidateOptionsResult.Fail($"OpsPortal:Http:KnownProxies: '{badProxy}' is not an IP address.");
        }
        var badNetwork = HttpSecurityOptions.Split(options.KnownNetworks).FirstOrDefault(n => !System.Net.IPNetwork.TryParse(n, out _));
        return badNetwork is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"OpsPortal:Http:KnownNetworks: '{badNetwork}' is not a network such as 10.0.0.0/8.");
    }
}
