using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Notifications;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Notifications;

public sealed record TestQueued(long DeliveryId, string Url);
public sealed record PreviewRequest(string? Severity, IReadOnlyDictionary<string, string>? Labels);

/// <summary>Channels, routes and the delivery log over HTTP. Everyone signed in reads (never a secret); Engineers write.</summary>
public static class NotificationsEndpoints
{
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/notification-channels").RequireAuthorization().WithTags("Notifications");
        channels.MapGet("", ListAsync).WithSummary("Every channel, without secrets (a webhook shows its host; a password whether it is set), with its last day of deliveries.");
        channels.MapPost("", CreateAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Create a channel: kind slack | webhook (webhookUrl) or email (smtpHost, smtpPort, smtpTls none|starttls|tls, smtpUsername, smtpPassword, emailFrom, emailTo).");
        channels.MapGet("/{id:long}", GetAsync).WithSummary("One channel, without secrets.");
        channels.MapPut("/{id:long}", UpdateAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Change a channel. A secret left out (null) keeps the stored one; smtpPassword \"\" removes it. The kind cannot change.");
        channels.MapDelete("/{id:long}", DeleteAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Delete a channel with its delivery log; routes drop it.");
        channels.MapPost("/{id:long}/test", TestAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Queue a test message to the channel (even a disabled one); 202 with the delivery to watch.");
        channels.MapGet("/{id:long}/deliveries", DeliveriesAsync)
            .WithSummary("The channel's delivery log, newest first: time, subject, status, attempts, response code or error (before: a delivery id, for the next page).");
        app.MapGet("/api/notification-deliveries/{id:long}", DeliveryAsync).RequireAuthorization().WithTags("Notifications")
            .WithSummary("One delivery with every attempt (time, duration, response code or error, node).");

        var routes = app.MapGroup("/api/notification-routes").RequireAuthorization().WithTags("Notifications");
        routes.MapGet("", RoutesAsync).WithSummary("The routing table: ordered routes (matchers → channels, continue) and the default route's channels.");
        routes.MapPut("", ReplaceRoutesAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Replace the whole routing table; the list order is the evaluation order.");
        routes.MapPost("/preview", PreviewAsync).WithSummary("Which routes and channels a message with these labels and severity would go to.");
        return app;
    }

    private static async Task<Ok<List<ChannelView>>> ListAsync(NotificationChannels channels, CancellationToken ct) =>
        TypedResults.Ok(await channels.ListAsync(ct));

    private static async Task<Results<Ok<ChannelView>, NotFound>> GetAsync(long id, NotificationChannels channels, CancellationToken ct) =>
        await channels.GetAsync(id, ct) is { } channel ? TypedResults.Ok(channel) : TypedResults.NotFound();

    private static async Task<Results<Created<ChannelView>, ProblemHttpResult>> CreateAsync(
        ChannelRequest request, ClaimsPrincipal user, NotificationChannels channels, CancellationToken ct) =>
        (await channels.CreateAsync(request, user.ToActor(), ct)).ToHttp(c => TypedResults.Created($"/api/notification-channels/{c.Id}", c));

    private static async Task<Results<Ok<ChannelView>, ProblemHttpResult>> UpdateAsync(
        long id, ChannelRequest request, ClaimsPrincipal user, NotificationChannels channels, CancellationToken ct) =>
        (await channels.UpdateAsync(id, request, user.ToActor(), ct)).ToHttp(TypedResults.Ok);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ClaimsPrincipal user, NotificationChannels channels, CancellationToken ct) =>
        (await channels.DeleteAsync(id, user.ToActor(), ct)).ToHttp(TypedResults.NoContent);

    private static async Task<Results<Accepted<TestQueued>, ProblemHttpResult>> TestAsync(
        long id, ClaimsPrincipal user, NotificationChannels channels, CancellationToken ct) =>
        (await channels.SendTestAsync(id, user.ToActor(), ct)).ToHttp(d =>
            TypedResults.Accepted($"/api/notification-deliveries/{d}", new TestQueued(d, $"/api/notification-deliveries/{d}")));

    private static async Task<Results<Ok<List<DeliveryLogEntry>>, NotFound>> DeliveriesAsync(
        long id, int? limit, long? before, NotificationChannels channels, CancellationToken ct) =>
        await channels.GetAsync(id, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await channels.DeliveriesAsync(id, limit ?? 100, before, ct));

    private static async Task<Results<Ok<DeliveryDetail>, NotFound>> DeliveryAsync(long id, NotificationChannels channels, CancellationToken ct) =>
        await channels.DeliveryAsync(id, ct) is { } d ? TypedResults.Ok(d) : TypedResults.NotFound();

    private static async Task<Ok<RoutingTable>> RoutesAsync(NotificationRoutes routes, CancellationToken ct) => TypedResults.Ok(await routes.GetAsync(ct));

    private static async Task<Results<Ok<RoutingTable>, ProblemHttpResult>> ReplaceRoutesAsync(
        RoutingTableRequest request, ClaimsPrincipal user, NotificationRoutes routes, CancellationToken ct) =>
        (await routes.ReplaceAsync(request, user.ToActor(), ct)).ToHttp(TypedResults.Ok);

    private static async Task<Results<Ok<RoutePreview>, ProblemHttpResult>> PreviewAsync(PreviewRequest request, NotificationRoutes routes, CancellationToken ct)
    {
        var severity = request.Severity ?? NotificationSeverity.Critical;
        if (!NotificationSeverity.IsValid(severity))
        {
            return Refusal.InvalidField("severity", $"Severity must be one of {string.Join(", ", NotificationSeverity.All)}.").ToProblem();
        }
        return TypedResults.Ok(await routes.PreviewAsync(request.Labels ?? new Dictionary<string, string>(), severity, ct));
    }
}
