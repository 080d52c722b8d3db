namespace OpsPortal.Tests.Deploys;

/// <summary>
/// A deploy configuration on disk for one test: services.yaml and real executable bash scripts (the
/// portal starts them directly; the shebang picks the interpreter). Scripts leave a marker file per
/// run, so a test can tell whether anything ran at all.
/// </summary>
public sealed class DeployFixture : IDisposable
{
    public DeployFixture(string? extraEnvironments = null)
    {
        Folder = Directory.CreateTempSubdirectory("opsportal-deploys-").FullName;
        Scripts = Directory.CreateDirectory(Path.Combine(Folder, "scripts")).FullName;
        Markers = Directory.CreateDirectory(Path.Combine(Folder, "markers")).FullName;
        Script("deploy.sh", $$"""
            #!/usr/bin/env bash
            set -u
            touch "{{Markers}}/ran-$OPS_DEPLOY_ID"
            echo "service=$OPS_SERVICE env=$OPS_ENVIRONMENT version=$OPS_VERSION previous=$OPS_PREVIOUS_VERSION action=$OPS_ACTION user=$OPS_USER ticket=$OPS_TICKET id=$OPS_DEPLOY_ID"
            echo "database=${OPSPORTAL_DATABASE:-unset}"
            echo "token=supersecret123 in the middle"
            echo "to stderr" >&2
            case "$OPS_VERSION" in
              *-slow) echo "pid=$$"; for i in $(seq 1 600); do echo "tick $i"; sleep 0.1; done ;;
              *-bad) echo "failing on purpose" >&2; exit 3 ;;
            esac
            echo done
            """);
        Script("rollback.sh", $$"""
            #!/usr/bin/env bash
            touch "{{Markers}}/ran-$OPS_DEPLOY_ID"
            echo "rolling back to $OPS_VERSION from $OPS_PREVIOUS_VERSION action=$OPS_ACTION"
            """);
        Script("versions.sh", """
            #!/usr/bin/env bash
            printf '2.0.0\n1.9.0\nnot a version!\n1.8.0\n'
            """);
        ConfigPath = Path.Combine(Folder, "services.yaml");
        File.WriteAllText(ConfigPath, $"""
            scripts: scripts
            secrets: ['token=\S+']
            services:
              web:
                versions: versions.sh
                diff: https://git.example.com/web/compare/{"{from}"}...{"{to}"}
                environments:
                  staging:
                    deploy: deploy.sh
                    rollback: rollback.sh
                    timeout: 60s
                  production:
                    deploy: deploy.sh
                    role: Admin
                  quick:
                    deploy: deploy.sh
                    timeout: 1s
            {extraEnvironments ?? ""}
            """);
    }

    public string Folder { get; }
    public string Scripts { get; }
    public string Markers { get; }
    public string ConfigPath { get; }

    public int RunCount => Directory.GetFiles(Markers).Length;

    public IReadOnlyDictionary<string, string> Settings(bool runJobs = true) => new Dictionary<string, string>
    {
        ["OpsPortal:RunJobs"] = runJobs ? "true" : "false",
        ["OpsPortal:Deploys:ConfigPath"] = ConfigPath,
        ["OpsPortal:Deploys:HeartbeatInterval"] = "00:00:00.500",
        ["OpsPortal:Deploys:StaleAfter"] = "00:00:03",
        ["OpsPortal:Deploys:CancelGrace"] = "00:00:02",
        ["OpsPortal:Deploys:FlushInterval"] = "00:00:00.050",
    };

    public void Script(string name, string body)
    {
        var path = Path.Combine(Scripts, name);
        File.WriteAllText(path, body.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Deploy scripts run on Linux and macOS.");
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
