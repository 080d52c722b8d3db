#!/usr/bin/env bash
# Alerts latency (issue 16, "Speed": from the first bad line ingested to the notification delivered, p95 <
# interval + 5 s). Starts its own PostgreSQL cluster and the app (Release, evaluator and delivery worker on,
# default settings), a webhook receiver that stamps each POST on arrival, and routes every notification to it.
# Then SAMPLES times: a 5xx-ratio rule for a fresh host (interval INTERVAL s, hard at once), a wait of a random
# part of the interval (so the burst lands anywhere in the rule's schedule), a burst of 5xx lines for that host
# through POST /api/logs, and the time until the receiver has the rule's notification.
#   bench/alerts-latency.sh [SAMPLES] [INTERVAL]      (default 10 samples, 10 s: the shortest interval allowed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=../scripts/common.sh
source scripts/common.sh
# shellcheck source=../scripts/postgres.sh
source scripts/postgres.sh

samples=${1:-10}
interval=${2:-10}
command -v curl >/dev/null || apt_install curl
work=$(mktemp -d /tmp/opsportal-alerts-latency.XXXXXX)
chmod 755 "$work"
app_pid="" receiver_pid=""
cleanup() {
  local rc=$?
  ((rc == 0)) || { [[ -f $work/app.log ]] && tail -n 40 "$work/app.log" >&2; }
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null || true
  [[ -n $receiver_pid ]] && kill "$receiver_pid" 2>/dev/null || true
  pg_cluster_stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

log "Building (Release)"
dotnet build -c Release -nologo -v q OpsPortal.Web >/dev/null
app=$PWD/OpsPortal.Web/bin/Release/net10.0/OpsPortal.Web.dll

free_port() { local p; while p=$(($1 + RANDOM % 1000)); port_in_use "$p"; do :; done; echo "$p"; }
pg_ensure_server
port=$(free_port 56000)
pg_cluster_init "$work/pg" >/dev/null
pg_cluster_start "$work/pg" "$port" >/dev/null
pg_create_database "$work/pg" opsportal >/dev/null
export OPSPORTAL_DATABASE OPSPORTAL_ADMIN_PASSWORD=Bench-password-1 OPSPORTAL_ADMIN_EMAIL=bench@localhost
OPSPORTAL_DATABASE="$(pg_connection_string "$work/pg");Database=opsportal"
dotnet "$app" migrate >/dev/null
dotnet "$app" ensure-admin >/dev/null

cat >"$work/receiver.py" <<'PY'
import http.server, sys, time
out = open(sys.argv[2], "a", buffering=1)
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        at = time.time()
        body = self.read_body().decode("utf-8", "replace")
        out.write(f"{at:.3f} {' '.join(body.split())[:2000]}\n")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def read_body(self):
        if "chunked" not in self.headers.get("transfer-encoding", "").lower():
            return self.rfile.read(int(self.headers.get("content-length", 0)))
        data = b""
        while (size := int(self.rfile.readline().split(b";")[0].strip(), 16)) > 0:
            data += self.rfile.read(size)
            self.rfile.readline()
        while self.rfile.readline().strip():
            pass
        return data
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY
receiver_port=$(free_port 57000)
touch "$work/received"
python3 "$work/receiver.py" "$receiver_port" "$work/received" &
receiver_pid=$!

http_port=$(free_port 58000)
log "Starting the app on $http_port"
ASPNETCORE_URLS="http://127.0.0.1:$http_port" OpsPortal__RunJobs=false ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$app" >"$work/app.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$http_port"
for _ in $(seq 1 120); do curl -fs -o /dev/null "$base/health" 2>/dev/null && break; sleep 1; done
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$OPSPORTAL_ADMIN_EMAIL\",\"password\":\"$OPSPORTAL_ADMIN_PASSWORD\",\"name\":\"bench\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
api() { curl -fsS -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
api -X PUT "$base/api/services/bench" -d '{"description":"bench","owners":["team:bench"],"tier":2}' >/dev/null
channel=$(api -X POST "$base/api/notification-channels" -d "{\"name\":\"bench\",\"kind\":\"webhook\",\"webhookUrl\":\"http://127.0.0.1:$receiver_port/hook\"}" |
  sed 's/^{"id":\([0-9]*\).*/\1/')
api -X PUT "$base/api/notification-routes" -d "{\"routes\":[],\"defaultChannelIds\":[$channel]}" >/dev/null

log "$samples samples, rule interval $interval s"
results=()
for i in $(seq 1 "$samples"); do
  host="latency$i.bench.test"
  api -X POST "$base/api/alerts/rules" -d "{\"name\":\"latency sample $i\",\"service\":\"bench\",\"kind\":\"Threshold\",\"intervalSeconds\":$interval,
    \"hardAfter\":1,\"repeatMinutes\":0,\"spec\":{\"query\":\"status:5xx\",\"measure\":\"Ratio\",\"denominator\":\"host:$host\",\"windowSeconds\":60,\"critical\":20}}" >/dev/null
  sleep "$(awk -v s="$RANDOM" -v i="$interval" 'BEGIN { printf "%.2f", 1 + i * s / 32768 }')"
  stamp=$(LC_ALL=C date -u +'%d/%b/%Y:%H:%M:%S')
  lines=""
  for n in $(seq 1 20); do
    status=$((n <= 15 ? 502 : 200))
    lines+="10.0.0.9 - - [$stamp +0000] \"GET /checkout HTTP/1.1\" $status 512 \"-\" \"curl/8\" host=$host scheme=https rt=0.051 urt=\"0.050\" upstream=\"10.0.1.2:8080\" ustatus=\"$status\" tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256"$'\n'
  done
  t0=$(date +%s.%N)
  curl -fsS -H "Authorization: Bearer $token" -H 'content-type: text/plain' --data-binary "$lines" "$base/api/logs?format=opsportal" >/dev/null
  deadline=$(($(date +%s) + interval + 120))
  until at=$(grep -m1 "latency sample $i\b" "$work/received" | cut -d ' ' -f 1) && [[ -n $at ]]; do
    (($(date +%s) < deadline)) || die "sample $i: no notification within $((interval + 120)) s (app log: $work/app.log)"
    sleep 0.1
  done
  latency=$(awk -v a="$at" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
  echo "sample $i: $latency s"
  results+=("$latency")
done
sorted=$(printf '%s\n' "${results[@]}" | sort -n)
p() { awk -v q="$1" '{ v[NR] = $1 } END { i = int(q * NR + 0.999999); if (i < 1) i = 1; print v[i] }' <<<"$sorted"; }
echo "first bad line → notification received, $samples samples, interval $interval s: p50 $(p 0.5) s, p95 $(p 0.95) s, max $(p 1) s (target p95 < $((interval + 5)) s)"
echo "load average: $(cut -d ' ' -f 1-3 /proc/loadavg)"
