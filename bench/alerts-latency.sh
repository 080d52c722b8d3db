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
# shellcheck source=lib.sh
source bench/lib.sh

samples=${1:-10}
interval=${2:-10}
command -v curl >/dev/null || apt_install curl
bench_workdir alerts-latency
receiver_pid=""
cleanup() {
  local rc=$?
  ((rc == 0)) || { [[ -f $work/app.log ]] && tail -n 40 "$work/app.log" >&2; }
  [[ -n $receiver_pid ]] && kill "$receiver_pid" 2>/dev/null || true
  bench_cleanup
}
trap cleanup EXIT

bench_build
bench_cluster
export OPSPORTAL_ADMIN_PASSWORD=Bench-password-1 OPSPORTAL_ADMIN_EMAIL=bench@localhost
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

log "Starting the app"
bench_start_app
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
