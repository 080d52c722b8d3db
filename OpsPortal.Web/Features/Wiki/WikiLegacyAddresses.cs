using System.Text.RegularExpressions;

namespace OpsPortal.Web.Features.Wiki;

/// <summary>
/// The wiki API's first addresses put the page's operations after its slug
/// (<c>/api/wiki/{slug}/revisions</c>, <c>…/revisions/{n}</c>, <c>…/revisions/{n}/restore</c>,
/// <c>…/diff</c>). Scripts use them, so they keep working: this rewrites them, before routing, to the
/// operations' own routes (<see cref="WikiEndpoints"/>), with the slug as a query parameter.
/// </summary>
public static partial class WikiLegacyAddresses
{
    [GeneratedRegex(@"^/api/wiki/(?<slug>.+?)/(?:(?<diff>diff)|revisions(?:/(?<number>\d{1,9})(?<restore>/restore)?)?)/?$", RegexOptions.CultureInvariant)]
    private static partial Regex Legacy();

    /// <summary>The new path and query for an old address, or false when <paramref name="path"/> is not one.</summary>
    public static bool TryRewrite(PathString path, QueryString query, out PathString newPath, out QueryString newQuery)
    {
        (newPath, newQuery) = (path, query);
        var match = path.HasValue ? Legacy().Match(path.Value!) : Match.Empty;
        if (!match.Success)
        {
            return false;
        }
        var number = match.Groups["number"];
        newPath = match.Groups["diff"].Success ? "/api/wiki/diff"
            : !number.Success ? "/api/wiki/revisions"
            : match.Groups["restore"].Success ? $"/api/wiki/revisions/{number.Value}/restore"
            : $"/api/wiki/revisions/{number.Value}";
        newQuery = QueryString.Create("slug", match.Groups["slug"].Value) + query;
        return true;
    }

    /// <summary>Before <c>UseRouting</c>: old addresses reach the operations' routes.</summary>
    public static IApplicationBuilder UseWikiLegacyAddresses(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (TryRewrite(request.Path, request.QueryString, out var path, out var query))
            {
                (request.Path, request.QueryString) = (path, query);
            }
            return next(context);
        });
}
