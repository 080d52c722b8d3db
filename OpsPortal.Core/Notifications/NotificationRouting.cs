namespace OpsPortal.Core.Notifications;

/// <summary>Which channels a message goes to: the routing table applied to its labels (pure, so the preview and the outbox agree).</summary>
internal static class NotificationRouting
{
    /// <summary>The labels routes see: the message's labels plus <c>severity</c> (the message's own severity wins).</summary>
    public static IReadOnlyDictionary<string, string> RoutingLabels(IReadOnlyDictionary<string, string> labels, string severity)
    {
        var all = new Dictionary<string, string>(labels, StringComparer.Ordinal) { ["severity"] = severity };
        return all;
    }

    /// <summary>
    /// The routes (any order; sorted here by position) applied to <paramref name="labels"/>: each matching route
    /// adds its channels; the first match stops unless it continues; the default route applies when none matched.
    /// Returns the matched routes and the distinct channel ids in first-seen order.
    /// </summary>
    public static (IReadOnlyList<NotificationRoute> Matched, IReadOnlyList<long> ChannelIds) Select(
        IEnumerable<NotificationRoute> routes, IReadOnlyDictionary<string, string> labels)
    {
        var ordered = routes.OrderBy(r => r.IsDefault).ThenBy(r => r.Position).ThenBy(r => r.Id).ToList();
        var matched = new List<NotificationRoute>();
        foreach (var route in ordered.Where(r => !r.IsDefault))
        {
            if (route.Matchers.All(m => m.Matches(labels)))
            {
                matched.Add(route);
                if (!route.Continue)
                {
                    break;
                }
            }
        }
        if (matched.Count == 0 && ordered.FirstOrDefault(r => r.IsDefault) is { } fallback)
        {
            matched.Add(fallback);
        }
        return (matched, matched.SelectMany(r => r.ChannelIds).Distinct().ToList());
    }
}
