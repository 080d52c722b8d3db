#!/usr/bin/env bash
# StatsD intake benchmark (issue 18, "Speed": 100,000 metrics/s over UDP with < 0.1 % loss).
# Starts the app (Release) on a throwaway PostgreSQL with OPSPORTAL_STATSD_PORT set, sends RATE
# metrics/s for SECONDS from SENDERS separate processes over loopback with Debian's python3-statsd
# (bench/statsd/send.py: 90 % counters, 10 % timers), waits for the last flush and compares what the
# series API returns with what was sent.
#   bench/statsd-bench.sh [RATE] [SECONDS] [SENDERS] [MODE] [NAMES]      (default 100000 60 2 pipeline 100)
# MODE: pipeline (several metrics per packet, as StatsClient.pipeline() packs them), single (one metric
# per packet, as plain client.incr() sends: the receiver's hardest case) or raw (the same packets, prebuilt, sent
# with socket.sendto: fast enough to reach 100k packets/s here); NAMES: distinct counter names (≤ 1000).
# Prints sent/stored/loss, the kernel's UDP receive-buffer drops during the run, the flush lag (interval
# end → points committed, from the app's log), the app's CPU use and the load average.
# BENCH_KEEP=/dir keeps the cluster; UDP_BUFFER=BYTES asks for another UDP receive buffer (default: the
# portal's 32 MiB, which the kernel doubles).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh
# shellcheck source=../scripts/statsd-client.sh
source scripts/statsd-client.sh

rate=${1:-100000}
seconds=${2:-60}
senders=${3:-2}
mode=${4:-pipeline}
names=${5:-100}
((names <= 1000)) || die "NAMES is at most 1000 (the series API answers up to 500 series per pattern)."
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
statsd_client_ensure
bench_workdir statsd-bench
bench_build
bench_cluster

statsd_port=8125
while port_in_use "$statsd_port" || ss -Huln "sport = :$statsd_port" | grep -q .; do statsd_port=$((statsd_port + 1)); done
log "Starting the app (StatsD on udp/tcp $statsd_port)"
bench_start_app OPSPORTAL_STATSD_PORT="$statsd_port" OpsPortal__Metrics__BindAddress=127.0.0.1 \
  Logging__LogLevel__OpsPortal.Core.Metrics.Ingest.MetricFlusher=Debug ${UDP_BUFFER:+OpsPortal__Metrics__UdpReceiveBufferBytes=$UDP_BUFFER}
email="bench-$RANDOM@bench.local"
password="Bench-password-$RANDOM$RANDOM"
OPSPORTAL_NEW_PASSWORD=$password dotnet "$app" add-user "$email" Viewer >/dev/null
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"bench\"}" | jq -r .token)
auth="Authorization: Bearer $token"

udp_drops() { awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 } else print $n["RcvbufErrors"] }' /proc/net/snmp; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$app_pid/stat"; }
prefix="bench$(date +%s)"
from=$(date -u -d '-2 minutes' +%Y-%m-%dT%H:%M:%SZ)
drops_before=$(udp_drops)
cpu_before=$(cpu_ticks)
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
log "Sending $rate metrics/s for ${seconds}s from $senders python3-statsd processes ($mode, $names counter names)"
pids=()
for i in $(seq 1 "$senders"); do
  # Niced: the senders stand in for other machines, and must not take the receiving thread's CPU here.
  nice -n "${SENDER_NICE:-10}" "$STATSD_PYTHON" bench/statsd/send.py "$statsd_port" $((rate / senders)) "$seconds" "$prefix" "$mode" "$names" >"$work/sent-$i.json" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
cpu_after=$(cpu_ticks)
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)
drops_after=$(udp_drops)
log "Waiting for the last flush interval to be written"
sleep 13
to=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)

sent_counters=$(jq -s 'map(.counters) | add' "$work"/sent-*.json)
sent_timers=$(jq -s 'map(.timers) | add' "$work"/sent-*.json)
sent_rate=$(jq -s 'map(.rate) | add | floor' "$work"/sent-*.json)
series() {
  curl -fs -G "$base/api/metrics/series" -H "$auth" --data-urlencode "name=$1" --data-urlencode "from=$from" \
    --data-urlencode "to=$to" -d step=1h -d "fn=$2" | jq '[.series[].points[].v // 0] | add'
}
# The series API refuses a pattern over 500 series: up to 1,000 names, ask per leading digit (c.1* ≤ 111).
got_counters=0
for d in 0 1 2 3 4 5 6 7 8 9; do
  got_counters=$(jq -n "$got_counters + $(series "$prefix.c.$d*" sum)")
done
got_timers=$(series "$prefix.t.*" count)
sent=$((sent_counters + sent_timers))
got=$(jq -n "$got_counters + $got_timers")
hz=$(getconf CLK_TCK)
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB; net.core.rmem_max=$(sysctl -n net.core.rmem_max)"
echo "load average before/after: $load_before / $load_after"
echo "sent: $sent metrics ($sent_counters counter increments, $sent_timers timings) at $sent_rate metrics/s for ${seconds}s from $senders processes, $mode, $names counter names"
echo "stored (series API): $got ($got_counters counted, $got_timers timings)"
echo "loss: $(jq -n "($sent - $got) / $sent * 100") %"
echo "kernel UDP receive-buffer drops during the run: $((drops_after - drops_before)) datagrams; $(grep -o 'UDP receive buffer [0-9]* bytes' "$work/app.log" | head -n 1)"
# "Metrics: wrote interval … points, N ms after it ended" (MetricFlusher, Debug): the lag of every flush.
lags=$(grep -o 'points, [0-9]* ms after it ended' "$work/app.log" | awk '{ print $2 }' | sort -n)
if [[ -n $lags ]]; then
  echo "flush lag (interval end → committed), ms: median $(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' <<<"$lags"), max $(tail -n 1 <<<"$lags") over $(wc -l <<<"$lags") flushes"
fi
echo "app CPU during the run: $(jq -n "($cpu_after - $cpu_before) / $hz / $seconds * 100 | floor") % of one core"
echo "listeners: $(curl -fs "$base/api/metrics/listeners" -H "$auth" | jq -c '.nodes[0] | {lines, badLines, droppedIntervals, pendingIntervals}')"
