using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Tickets;

/// <summary>A search hit; <see cref="SnippetHtml"/> is HTML-encoded text with the matched words in <c>&lt;mark&gt;</c>.</summary>
public sealed record TicketHit(string Key, string Title, TicketStatus Status, TicketPriority Priority, double Rank, string SnippetHtml);

/// <summary>
/// The global search box: a key jumps straight to its ticket; text is PostgreSQL full text over each
/// ticket's search document (title weighted highest, then description, then its comments: ADR-015),
/// ranked, with a snippet from where it matched.
/// </summary>
public sealed class TicketSearch(NpgsqlDataSource dataSource, IOptions<TicketsOptions> options)
{
    // Control characters cannot occur in stored text users see, so they mark highlights safely
    // through ts_headline; the text is HTML-encoded before they become <mark>.
    private const string Open = "\u0002";
    private const string Close = "\u0003";

    // The tsquery is written inline (not in a CTE) so the planner sees it and estimates how many
    // documents match: for common words it walks the newest tickets by id until it has @candidates
    // matches, for rare ones it reads the GIN index. Only those candidates are ranked (ADR-015).
    // The snippet comes from the best-matching part of the shown tickets only: the ticket's text,
    // or a comment when one matches better (a comment's rank counts half, as a comment weighs less
    // than the description in the document).
    private const string Sql = """
        WITH candidates AS (
            SELECT s.ticket_id, s.document FROM ticket_search s
            WHERE s.document @@ websearch_to_tsquery('english', @q)
            ORDER BY s.ticket_id DESC LIMIT @candidates
        ),
        top AS (
            SELECT ticket_id, ts_rank(document, websearch_to_tsquery('english', @q)) AS rank
            FROM candidates ORDER BY rank DESC, ticket_id DESC LIMIT @limit
        )
        SELECT t.key, t.title, t.status, t.priority, top.rank,
               ts_headline('english',
                   CASE WHEN (c.matches, c.rank) > (t.search @@ q.query, ts_rank(t.search, q.query)) THEN c.body
                        ELSE t.title || ' — ' || left(t.description, 5000) END,
                   q.query, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=25, MinWords=8, MaxFragments=2')
        FROM top
        JOIN tickets t ON t.id = top.ticket_id
        CROSS JOIN (SELECT websearch_to_tsquery('english', @q) AS query) q
        LEFT JOIN LATERAL (
            SELECT left(cm.body, 5000) AS body, cm.search @@ q.query AS matches, ts_rank(cm.search, q.query) * 0.5 AS rank
            FROM ticket_comments cm WHERE cm.ticket_id = t.id
            ORDER BY 2 DESC, 3 DESC, cm.id DESC LIMIT 1
        ) c ON true
        ORDER BY top.rank DESC, t.id DESC
        """;

    public async Task<Result<List<TicketHit>>> SearchAsync(string text, int limit = 20, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return new List<TicketHit>();
        }
        if (text.Length > 200)
        {
            return TicketRefusals.Invalid("q", "The search text is longer than 200 characters.");
        }
        var hits = new List<TicketHit>();
        if (TicketRules.NormalizeKey(text) is { } key)
        {
            await using var byKey = dataSource.CreateCommand("SELECT key, title, status, priority FROM tickets WHERE key = @key");
            byKey.Parameters.AddWithValue("key", key);
            await using var r = await byKey.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
            {
                hits.Add(new TicketHit(r.GetString(0), r.GetString(1), Enum.Parse<TicketStatus>(r.GetString(2)),
                    Enum.Parse<TicketPriority>(r.GetString(3)), 1, WebUtility.HtmlEncode(r.GetString(1))));
            }
        }
        await using var cmd = dataSource.CreateCommand(Sql);
        cmd.Parameters.AddWithValue("q", NpgsqlDbType.Text, text);
        cmd.Parameters.AddWithValue("limit", Math.Clamp(limit, 1, 100));
        cmd.Parameters.AddWithValue("candidates", options.Value.SearchCandidates);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var hitKey = reader.GetString(0);
            if (hits.Any(h => h.Key == hitKey))
            {
                continue;
            }
            hits.Add(new TicketHit(hitKey, reader.GetString(1), Enum.Parse<TicketStatus>(reader.GetString(2)),
                Enum.Parse<TicketPriority>(reader.GetString(3)), reader.GetFloat(4), Highlight(reader.GetString(5))));
        }
        return hits;
    }

    internal static string Highlight(string headline) =>
        WebUtility.HtmlEncode(headline.Replace("\n", " ", StringComparison.Ordinal))
            .Replace(Open, "<mark>", StringComparison.Ordinal)
            .Replace(Close, "</mark>", StringComparison.Ordinal);
}
