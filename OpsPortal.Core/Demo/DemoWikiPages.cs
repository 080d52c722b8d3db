namespace OpsPortal.Core.Demo;

internal sealed record DemoWikiPage(string Slug, string Title, string[] Services, string Body);

/// <summary>The demo runbooks: realistic enough to show the wiki at work, each saying it is demo content.</summary>
internal static class DemoWikiPages
{
    private const string Label = "> **Demo content.** A starter runbook for the simulated `demo-web` service; edit or delete freely.\n\n";

    public static readonly IReadOnlyList<DemoWikiPage> All =
    [
        new("runbooks", "Runbooks", [], Label + """
            Start here when something is on fire. Every runbook follows the same shape: Symptoms, Impact,
            Diagnosis, Mitigation, Escalation, Rollback.

            | Runbook | Service |
            |---|---|
            | [[runbooks/web/5xx-spike|5xx spike on the frontend]] | demo-web |
            | [[runbooks/databases/postgres-replica-lag|Postgres replica lag]] | postgres |
            | [[runbooks/databases/disk-full|Disk full on a database host]] | postgres |
            """),
        new("runbooks/web/5xx-spike", "5xx spike on the frontend", ["demo-web"], Label + """
            ## Symptoms
            - Alert *demo-web 5xx rate above 2 %* fires.
            - The Logs card on Home turns red; users see "502 Bad Gateway".

            ## Impact
            Checkout and search fail for some or all users. Every minute costs orders.

            ## Diagnosis
            1. Which host? Search the logs for `status:5xx` and group by host:
               `GET /api/logs/stats?q=status:5xx&by=host&from=...`
            2. Was there a deploy in the last 30 minutes? Check **Deploys** for `demo-web`.
            3. Backend or proxy? `backendstatus` empty means nginx could not reach the upstream:

            ```bash
            curl -fsS http://10.0.1.2:8080/api/health || echo "upstream down"
            journalctl -u demo-web --since "15 min ago" | tail -50
            ```

            ## Mitigation
            - One bad host: take it out of the pool (`sudo nginx -s reload` after commenting it out).
            - All hosts after a deploy: **roll back** (see below). Don't debug forward at 3 a.m.

            ## Escalation
            After 15 minutes without improvement page the web team lead; open an incident with severity 2.

            ## Rollback
            Deploys → `demo-web` → production → *Roll back* to the previous version. See also
            [[runbooks/databases/postgres-replica-lag]] if the errors are database timeouts.
            """),
        new("runbooks/databases/postgres-replica-lag", "Postgres replica lag", ["postgres", "demo-web"], Label + """
            ## Symptoms
            - Alert *replica lag above 30 s*; reports read stale data; `demo-web` search shows old prices.

            ## Impact
            Reads from the replica are behind. If the primary fails now, a failover loses the lagging writes.

            ## Diagnosis
            On the primary:

            ```sql
            SELECT client_addr, state, sent_lsn, replay_lsn,
                   pg_wal_lsn_diff(sent_lsn, replay_lsn) AS bytes_behind, replay_lag
            FROM pg_stat_replication;
            ```

            On the replica: is it replaying at all? Long queries holding replay back show up as
            `wait_event = 'RecoveryConflict…'`:

            ```sql
            SELECT now() - pg_last_xact_replay_timestamp() AS lag;
            SELECT pid, now() - query_start AS running, query FROM pg_stat_activity
            WHERE state = 'active' ORDER BY running DESC LIMIT 5;
            ```

            ## Mitigation
            1. Cancel the long report query on the replica: `SELECT pg_cancel_backend(pid);`
            2. Network saturated? Check the NIC graphs; pause the nightly `pg_dump` if it runs on the primary.
            3. Point `demo-web` reads at the primary temporarily (`READ_REPLICA_ENABLED=false`).

            ## Escalation
            Lag above 10 minutes or growing after mitigation: call the DBA on duty.

            ## Rollback
            Re-enable replica reads once `replay_lag` is under 5 s for 10 minutes.
            """),
        new("runbooks/databases/disk-full", "Disk full on a database host", ["postgres"], Label + """
            ## Symptoms
            `could not extend file … No space left on device` in the Postgres log; writes fail.

            ## Impact
            All writes fail. Postgres may stop; WAL cannot be written.

            ## Diagnosis
            ```bash
            df -h /var/lib/postgresql
            sudo du -xh --max-depth=2 /var/lib/postgresql | sort -h | tail
            ```
            Usual suspects: WAL kept for an inactive replication slot, old log files, a forgotten dump.

            ## Mitigation
            - Drop an abandoned slot: `SELECT pg_drop_replication_slot('old_slot');` (ask first!)
            - Move old logs away. **Never delete files in `pg_wal` by hand.**

            ## Escalation
            DBA on duty; if the volume can be grown, the infrastructure team.

            ## Rollback
            Nothing to roll back; file a ticket to add a disk-usage alert at 80 %.
            """),
    ];
}
