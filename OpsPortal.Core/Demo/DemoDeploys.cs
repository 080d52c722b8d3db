using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Deploys;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, when the configured services file does not exist, writes a labelled demo
/// configuration (service <c>demo-web</c>, environments <c>staging</c> and <c>production</c>, whose log
/// selectors are the traffic simulator's hosts, and the catalog-only <c>postgres</c>) with scripts that
/// simulate a deploy: progress lines for a few seconds, failure for versions ending in <c>-bad</c>; a version
/// ending in <c>-regress</c> succeeds and makes the simulated traffic worse (DemoDeployFollower). A team's own file always wins: nothing is written when it exists.
/// </summary>
internal sealed class DemoDeploys(IOptions<DemoOptions> demo, NpgsqlDataSource dataSource) : IPostConfigureOptions<DeployOptions>
{
    public void PostConfigure(string? name, DeployOptions options)
    {
        if (!demo.Value.Demo || File.Exists(options.ConfigPath))
        {
            return;
        }
        var folder = demo.Value.FolderFor(dataSource.ConnectionString);
        var deployFolder = Path.Combine(folder, "deploy");
        var scripts = Directory.CreateDirectory(Path.Combine(deployFolder, "scripts")).FullName;
        Write(Path.Combine(scripts, "deploy.sh"), DeployScript, executable: true);
        Write(Path.Combine(scripts, "versions.sh"), VersionsScript, executable: true);
        options.ConfigPath = Path.Combine(deployFolder, "services.yaml");
        Write(options.ConfigPath, Config, executable: false);
    }

    private static void Write(string path, string text, bool executable)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        if (executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    private const string Config = """
        # DEMO deploy configuration written by OpsPortal's demo mode. Point OpsPortal:Deploys:ConfigPath
        # at your own file (kept under version control) to deploy real services.
        scripts: scripts
        secrets:
          - 'token=[^\s)]+'
        services:
          demo-web:
            description: DEMO - the simulated shop (nginx in front of web-1 and web-2); its traffic is the demo access log
            owners: [team:web]
            tier: 1
            escalation_policy: DEMO web
            links:
              repository: https://github.com/example/demo-web
            # The requests of the service, in the log language: the hosts the traffic simulator writes.
            logs: 'host:shop.demo.local OR host:api.demo.local OR host:static.demo.local'
            depends_on: [postgres]
            versions: versions.sh
            diff: https://github.com/example/demo-web/compare/{from}...{to}
            environments:
              staging:
                deploy: deploy.sh
                timeout: 2m
                role: Engineer
                logs: 'host:*.staging.demo.local'
              production:
                deploy: deploy.sh
                timeout: 5m
                role: Engineer
                ticket: true
                logs: 'host:shop.demo.local OR host:api.demo.local OR host:static.demo.local'
          postgres:
            description: DEMO - the database behind demo-web (in the catalog only; nothing to deploy)
            owners: [team:dba]
            tier: 1
        """;

    private const string VersionsScript = """
        #!/usr/bin/env bash
        # DEMO: a real versions command would list git tags, e.g. git tag --sort=-creatordate
        printf '%s\n' 1.5.1-regress 1.5.0 1.5.0-bad 1.4.2 1.4.1 1.4.0
        """;

    private const string DeployScript = """
        #!/usr/bin/env bash
        # DEMO deploy script: simulates a rolling deploy of two web servers. Nothing is deployed.
        set -euo pipefail
        echo "[demo] ${OPS_ACTION} ${OPS_SERVICE} ${OPS_PREVIOUS_VERSION:-(none)} -> ${OPS_VERSION} on ${OPS_ENVIRONMENT} (deploy #${OPS_DEPLOY_ID} by ${OPS_USER}, ticket ${OPS_TICKET:-none})"
        echo "Fetching artifact ${OPS_SERVICE}-${OPS_VERSION}.tar.gz from the registry (token=demo-secret-token)"
        sleep 0.6
        echo "Checksum ok: sha256:$(printf '%s' "$OPS_VERSION" | sha256sum | cut -c1-16)"
        for host in web-1 web-2; do
          echo "[$host] draining connections"
          sleep 0.5
          echo "[$host] installing ${OPS_VERSION}"
          for pct in 25 50 75 100; do echo "[$host] unpacking ${pct}%"; sleep 0.2; done
          echo "[$host] restarting service"
          sleep 0.4
          if [[ $host == web-2 && $OPS_VERSION == *-bad ]]; then
            echo "[$host] health check: HTTP 502 Bad Gateway" >&2
            echo "[$host] rolling deploy stopped: ${OPS_VERSION} is unhealthy" >&2
            exit 1
          fi
          echo "[$host] health check: HTTP 200 OK"
        done
        echo "Deployed ${OPS_SERVICE} ${OPS_VERSION} to ${OPS_ENVIRONMENT}"
        if [[ $OPS_VERSION == *-regress ]]; then
          echo "[demo] ${OPS_VERSION} is a bad build: the simulated ${OPS_ENVIRONMENT} hosts will answer with more 5xx and slower backends for 10 minutes." >&2
          echo "[demo] Watch the impact card on this page turn red, then roll back from it." >&2
        fi
        """;
}
