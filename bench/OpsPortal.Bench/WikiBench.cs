using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Bench;

/// <summary>
/// Issue 6's speed targets, measured through the app's own services (the code a request runs):
/// 10,000 pages with 100,000 revisions; full-text search, opening a page (load, render with link
/// enrichment, backlinks, top of the tree) and a diff of two revisions of a 5,000-line page.
/// Usage: <c>wiki CONNECTION_STRING</c> (a database of its own; seeded on first run).
/// </summary>
public static class WikiBench
{
    private const int Pages = 10_000;
    private const int RevisionsPerPage = 10;
    private const string BigSlug = "bench/five-thousand-lines";

    private static readonly string[] Vocabulary = BuildVocabulary();

    public static async Task<int> RunAsync(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(connectionString);
        services.AddMarkdown();
        services.AddWiki();
        await using var sp = services.BuildServiceProvider();
        await using (var db = sp.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }
        var dataSource = sp.GetRequiredService<NpgsqlDataSource>();
        await SeedAsync(dataSource);
        await SeedBigPageAsync(sp.GetRequiredService<WikiService>());
        // Freshly inserted rows sit in the GIN pending list, which every search scans linearly until a
        // vacuum flushes it (a no-match search took 57 ms); autovacuum would do it, later.
        await using (var vacuum = dataSource.CreateCommand("VACUUM ANALYZE wiki_pages"))
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        await using var scope = sp.CreateAsyncScope();
        var wiki = sp.GetRequiredService<WikiService>();
        var search = sp.GetRequiredService<WikiSearch>();
        var renderer = scope.ServiceProvider.GetRequiredService<WikiRenderer>();

        string[] queries = ["replication lag", "disk full", "rollback deploy", "certificate expired", "check", "\"primary failover\"", "kafka -consumer", "zebra",
            "inserted" /* only in the 5,000-line page: its snippet window */];
        foreach (var q in queries)
        {
            var hits = 0;
            var times = await TimeAsync(30, async () => hits = (await search.SearchAsync(q)).Value.Count);
            Report($"search \"{q}\" ({hits} hits shown)", times);
        }

        var random = new Random(7);
        var slugs = Enumerable.Range(0, 300).Select(_ => Slug(random.Next(Pages))).ToArray();
        var index = 0;
        Report("open page (get + render + backlinks + tree)", await TimeAsync(slugs.Length, async () =>
        {
            var page = (await wiki.GetAsync(slugs[index++ % slugs.Length]))!;
            await renderer.RenderAsync(page.Body);
            await wiki.BacklinksAsync(page.Id);
            await wiki.TreeAsync(null);
        }));

        var big = (await wiki.GetAsync(BigSlug))!;
        var lines = 0;
        Report("diff r1→r2 of a 5,000-line page (load both + compare)", await TimeAsync(20, async () =>
        {
            var a = (await wiki.RevisionAsync(big.Id, 1))!;
            var b = (await wiki.RevisionAsync(big.Id, 2))!;
            lines = WikiDiff.Compare(a.Body, b.Body).Lines.Count;
        }));
        Console.WriteLine($"  (diff has {lines} rows after folding)");
        return 0;
    }

    private static async Task<List<double>> TimeAsync(int runs, Func<Task> action)
    {
        await action(); // warm-up: JIT, connection pool, plan cache
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return times;
    }

    private static void Report(string what, List<double> times)
    {
        times.Sort();
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-60} n={times.Count,4}  p50={P(0.5),7:F1} ms  p95={P(0.95),7:F1} ms  max={times[^1],7:F1} ms"));
    }

    private static string Slug(int i) => $"area-{i % 40}/topic-{i % 400}/page-{i}";

    private static async Task SeedAsync(NpgsqlDataSource dataSource)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM wiki_revisions", conn))
        {
            if ((long)(await count.ExecuteScalarAsync())! >= Pages * RevisionsPerPage)
            {
                Console.WriteLine("Seed present: reusing it.");
                return;
            }
        }
        Console.WriteLine($"Seeding {Pages:N0} pages with {Pages * RevisionsPerPage:N0} revisions …");
        var started = Stopwatch.GetTimestamp();
        await using (var wipe = new NpgsqlCommand("TRUNCATE wiki_pages RESTART IDENTITY CASCADE", conn))
        {
            await wipe.ExecuteNonQueryAsync();
        }
        var random = new Random(42);
        var now = DateTimeOffset.UtcNow;
        var titles = Enumerable.Range(0, Pages).Select(_ => Title(random)).ToArray();
        var bodies = new string[Pages][];
        for (var i = 0; i < Pages; i++)
        {
            var body = Body(random, i);
            bodies[i] = new string[RevisionsPerPage];
            for (var r = 0; r < RevisionsPerPage; r++)
            {
                body = Mutate(random, body);
                bodies[i][r] = body;
            }
        }
        await using (var pages = await conn.BeginBinaryImportAsync(
            "COPY wiki_pages (id, slug, title, body, revision, services, is_demo, created_at, updated_at, updated_by) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Pages; i++)
            {
                await pages.StartRowAsync();
                await pages.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await pages.WriteAsync(Slug(i));
                await pages.WriteAsync(titles[i]);
                await pages.WriteAsync(bodies[i][^1]);
                await pages.WriteAsync(RevisionsPerPage);
                await pages.WriteAsync(new[] { $"service-{i % 25}" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await pages.WriteAsync(false);
                await pages.WriteAsync(now.AddDays(-400), NpgsqlDbType.TimestampTz);
                await pages.WriteAsync(now.AddMinutes(-i), NpgsqlDbType.TimestampTz);
                await pages.WriteAsync("bench@example.com");
            }
            await pages.CompleteAsync();
        }
        await using (var revisions = await conn.BeginBinaryImportAsync(
            "COPY wiki_revisions (page_id, number, slug, title, body, services, author, created_at, message) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Pages; i++)
            {
                for (var r = 0; r < RevisionsPerPage; r++)
                {
                    await revisions.StartRowAsync();
                    await revisions.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                    await revisions.WriteAsync(r + 1);
                    await revisions.WriteAsync(Slug(i));
                    await revisions.WriteAsync(titles[i]);
                    await revisions.WriteAsync(bodies[i][r]);
                    await revisions.WriteAsync(new[] { $"service-{i % 25}" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await revisions.WriteAsync("bench@example.com");
                    await revisions.WriteAsync(now.AddDays(-400 + r), NpgsqlDbType.TimestampTz);
                    await revisions.WriteAsync($"edit {r + 1}");
                }
            }
            await revisions.CompleteAsync();
        }
        await using (var links = new NpgsqlCommand("""
            INSERT INTO wiki_links (page_id, target_slug)
            SELECT DISTINCT p.id, 'area-' || (t % 40) || '/topic-' || (t % 400) || '/page-' || t
            FROM wiki_pages p, LATERAL (SELECT (p.id * 7 + k * 13) % 10000 AS t FROM generate_series(1, 3) k) x;
            SELECT setval(pg_get_serial_sequence('wiki_pages', 'id'), 10000);
            ANALYZE wiki_pages; ANALYZE wiki_revisions; ANALYZE wiki_links;
            """, conn))
        {
            await links.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"Seeded in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s.");
    }

    /// <summary>The 5,000-line page: revision 2 changes ~1 % of lines in place, inserts and deletes a few dozen more.</summary>
    internal static async Task SeedBigPageAsync(WikiService wiki)
    {
        if (await wiki.GetAsync(BigSlug) is not null)
        {
            return;
        }
        var random = new Random(5);
        var lines = Enumerable.Range(0, 5000).Select(i => $"{i}: " + Sentence(random, 12)).ToList();
        await wiki.SaveAsync(OpsPortal.Core.Auth.Actor.System("bench"), BigSlug, new WikiSaveRequest("Five thousand lines", string.Join('\n', lines), null, null));
        for (var i = 0; i < 50; i++)
        {
            var at = random.Next(lines.Count);
            lines[at] = lines[at].Replace(" ", " changed ", StringComparison.Ordinal);
        }
        for (var i = 0; i < 20; i++)
        {
            lines.Insert(random.Next(lines.Count), "inserted " + Sentence(random, 8));
            lines.RemoveAt(random.Next(lines.Count));
        }
        await wiki.SaveAsync(OpsPortal.Core.Auth.Actor.System("bench"), BigSlug, new WikiSaveRequest("Five thousand lines", string.Join('\n', lines), 1, null));
    }

    private static string Title(Random random) => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Sentence(random, random.Next(2, 6)));

    private static string Body(Random random, int i)
    {
        var sb = new StringBuilder();
        foreach (var section in new[] { "Symptoms", "Impact", "Diagnosis", "Mitigation", "Escalation", "Rollback" })
        {
            sb.Append("## ").Append(section).Append("\n\n");
            for (var p = 0; p < random.Next(1, 3); p++)
            {
                sb.Append(Sentence(random, random.Next(20, 45))).Append(".\n\n");
            }
        }
        sb.Append("See [[").Append(Slug((i * 7 + 13) % Pages)).Append("]].\n\n```bash\nsystemctl status service-").Append(i % 25).Append("\n```\n");
        return sb.ToString();
    }

    private static string Mutate(Random random, string body)
    {
        var at = random.Next(body.Length / 2, body.Length);
        var cut = body.IndexOf('\n', at);
        return cut < 0 ? body + Sentence(random, 8) : body.Insert(cut, " " + Sentence(random, random.Next(3, 10)));
    }

    private static string Sentence(Random random, int words)
    {
        var sb = new StringBuilder();
        for (var w = 0; w < words; w++)
        {
            // Zipf-like: a few words are everywhere, most are rare, as in real text.
            var index = (int)(Math.Pow(random.NextDouble(), 3) * Vocabulary.Length);
            sb.Append(w == 0 ? "" : " ").Append(Vocabulary[index]);
        }
        return sb.ToString();
    }

    private static string[] BuildVocabulary()
    {
        string[] common = ["the", "check", "service", "restart", "primary", "replica", "replication", "lag", "disk", "full", "deploy", "rollback",
            "certificate", "expired", "kafka", "consumer", "latency", "error", "timeout", "failover", "query", "index", "memory", "cpu",
            "network", "dns", "nginx", "postgres", "redis", "queue", "alert", "page", "owner", "log", "graph", "node", "cluster", "backup",
            "restore", "snapshot", "volume", "pod", "container", "config", "secret", "token", "rate", "limit", "cache", "upstream"];
        var random = new Random(1);
        var invented = Enumerable.Range(0, 20_000).Select(_ =>
            new string(Enumerable.Range(0, random.Next(4, 10)).Select(_ => (char)('a' + random.Next(26))).ToArray()));
        return [.. common, .. invented];
    }
}
