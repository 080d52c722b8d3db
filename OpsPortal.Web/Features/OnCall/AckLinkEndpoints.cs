using System.Globalization;
using System.Text.Encodings.Web;
using OpsPortal.Core.OnCall.Paging;

namespace OpsPortal.Web.Features.OnCall;

/// <summary>
/// The page a mailed acknowledge link opens on a phone: no sign-in (the token is the credential), plain server-made
/// HTML without scripts. Opening it (GET) changes nothing — mail scanners and link previews fetch links — the button
/// (POST) acknowledges. A used, expired or unknown link says so.
/// </summary>
public static class AckLinkEndpoints
{
    public static IEndpointRouteBuilder MapAckLinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ack/{token}", ShowAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/ack/{token}", AcknowledgeAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(string token, PageAcknowledgements acks, TimeProvider clock, CancellationToken ct)
    {
        var inspected = await acks.InspectAsync(token, ct);
        if (!inspected.TryGet(out var found, out var refusal))
        {
            return Html(404, "Unknown link", refusal.Detail);
        }
        var (page, link) = found;
        var about = $"{page.Summary} (service {page.Service}, page {page.Id.ToString(CultureInfo.InvariantCulture)})";
        if (link.UsedAt is { } used)
        {
            return Html(200, "Already used", $"This link was used by {link.Person} at {PageAcknowledgements.Utc(used)}. {about}");
        }
        if (page.Status != PageStatus.Triggered)
        {
            return Html(200, $"Page {page.Status.ToString().ToLowerInvariant()}", $"Nothing to acknowledge: {about}"
                + (page.AcknowledgedBy is { } by ? $" was acknowledged by {by} at {PageAcknowledgements.Utc(page.AcknowledgedAt!.Value)}." : "."));
        }
        if (clock.GetUtcNow() >= link.ExpiresAt)
        {
            return Html(200, "Link expired", $"This link expired at {PageAcknowledgements.Utc(link.ExpiresAt)}. Acknowledge page {page.Id} in the portal. {about}");
        }
        var action = "/ack/" + UrlEncoder.Default.Encode(token);
        return Html(200, "Acknowledge this page?", about,
            $"<form method=\"post\" action=\"{HtmlEncoder.Default.Encode(action)}\"><button type=\"submit\" autofocus>Acknowledge as {HtmlEncoder.Default.Encode(link.Person)}</button></form>");
    }

    private static async Task<IResult> AcknowledgeAsync(string token, PageAcknowledgements acks, CancellationToken ct)
    {
        var result = await acks.AcknowledgeByTokenAsync(token, ct);
        if (!result.TryGet(out var done, out var refusal))
        {
            return Html(refusal.Kind == Core.RefusalKind.NotFound ? 404 : 409, refusal.Title, refusal.Detail);
        }
        var page = done.Page;
        return Html(200, "Acknowledged", $"{page.AcknowledgedBy} acknowledged page {page.Id.ToString(CultureInfo.InvariantCulture)} at "
            + $"{PageAcknowledgements.Utc(page.AcknowledgedAt!.Value)}: {page.Summary}. Escalation stopped; the {page.SubjectType} is acknowledged.");
    }

    private static IResult Html(int status, string title, string text, string formHtml = "")
    {
        var e = HtmlEncoder.Default;
        var html = $$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer"><title>{{e.Encode(title)}} – OpsPortal</title>
            <style>body{font:18px system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem}button{font-size:1.2rem;padding:.8rem 1.6rem}</style></head>
            <body><h1>{{e.Encode(title)}}</h1><p>{{e.Encode(text)}}</p>{{formHtml}}</body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
