using System.Net;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Tickets;

/// <summary>A search hit; <see cref="SnippetHtml"/> is HTML-encoded text with the matched words in <c>&lt;mark&gt;</c>.</summary>
public sealed record TicketHit(string Key, string Title, TicketStatus Status, TicketPriority Priority, double Rank, string SnippetHtml);

/// <summary>
/// The global search box: a key jumps straight to its ticket; text is PostgreSQL full text over
/// titles (weighted highest), descriptions and comments, ranked, with a snippet from where it matched.
/// </summary>
public sealed class TicketSearch(NpgsqlDataSource dataSource)
{
    // Control characters cannot occur in stored text users see, so they mark highlights safely
    // through ts_headline; the text is HTML-encoded before they become <mark>.
    private const string Open = "\u0002";
    private const string Close = "\u0003";

    private const string Sql = """
        WITH q AS (SELECT websearch_to_tsquery('english', @q) AS query),
        hits AS (
            SELECT t.id, ts_rank(t.search, q.query) AS rank, NULL::bigint AS comment_id
            FROM tickets t, q WHERE t.search @@ q.query
            UNION ALL
            SELECT c.ticket_id, ts_rank(c.search, q.query) * 0.5, c.id
            FROM ticket_comments c, q WHERE c.search @@ q.query
        ),
        best AS (
            SELECT DISTINCT ON (id) id, rank, comment_id FROM hits ORDER BY id, rank DESC
        ),
        top AS (SELECT * FROM best ORDER BY rank DESC, id DESC LIMIT @limit)
        SELECT t.key, t.title, t.status, t.priority, top.rank,
               ts_headline('english',
                   CASE WHEN top.comment_id IS NULL THEN t.title || ' — ' || left(t.description, 5000)
                        ELSE (SELECT left(body, 5000) FROM ticket_comments WHERE id = top.comment_id) END,
                   q.query, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=25, MinWords=8, MaxFragments=2')
        FROM top JOIN tickets t ON t.id = top.id, q
        ORDER BY top.rank DESC, t.id DESC
        """;

    public async Task<List<TicketHit>> SearchAsync(string text, int limit = 20, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return [];
        }
        if (text.Length > 200)
        {
            throw new TicketValidationException("q", "The search text is longer than 200 characters.");
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
