#!/usr/bin/env bash
# kill -9 of a node in the middle of ingestion, with two ./run.sh nodes on one database.
#   bench/faults/kill-node-ingest.sh file   a tailed file at 500 lines/s; the node tailing it is killed
#   bench/faults/kill-node-ingest.sh http   12,000-line bodies posted to one node, which is killed
#                                           mid-upload; the client retries the body on the other node
#                                           (same Idempotency-Key) until it is acknowledged
# Prints lines written or acknowledged, stored and distinct: lost and duplicated.
#   PORT=6130 (and PORT+1) by default
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mode=${1:-file}
a=${PORT:-6130}
b=$((a + 1))
run="kill-$mode-$(date +%s)"
work="$SCRATCH/$run"
mkdir -p "$work"
chmod 755 "$SCRATCH" "$work"
finish() {
  touch "$work/stop"
  sleep 1
  stop_all_nodes
}
trap finish EXIT

for port in "$a" "$b"; do
  node_start "$port" OpsPortal__Logs__SourceReloadInterval=00:00:01 OpsPortal__Logs__AllowedPaths="$SCRATCH"
  node_wait "$port"
done
token=$(bench_token "$a")
echo "machine: $(machine)"

if [[ $mode == file ]]; then
  : >"$work/access.log"
  add_file_source "$run" "$work/access.log" >/dev/null
  file_writer "$work/access.log" "/$run/file" "$work/stop" "$work/count" 50
  # Whichever node took the source's lock says so in its log.
  victim=""
  for _ in $(seq 1 120); do
    for port in "$a" "$b"; do
      if grep -q "Log source $run: this node tails it" "$SCRATCH/node-$port.log"; then victim=$port; fi
    done
    [[ -n $victim ]] && break
    sleep 0.5
  done
  [[ -n $victim ]] || die "no node reported tailing $run"
  sleep 5
  before=$(stored "/$run/file" | cut -d ' ' -f 1)
  echo "kill -9 of the portal on port $victim (it tails the file; $before rows stored so far)"
  kill -KILL "$(app_pid "$victim")"
  killed_at=$(now_ms)
  until (($(stored "/$run/file" | cut -d ' ' -f 1) > before + 100)) || (($(now_ms) - killed_at > 120000)); do sleep 0.2; done
  resumed=$(($(now_ms) - killed_at))
  sleep 10
  touch "$work/stop"
  for _ in $(seq 1 30); do [[ -s $work/count ]] && break; sleep 1; done
  written=$(<"$work/count")
  wait_stored "/$run/file" "$written" 180
  sleep 3
  read -r rows distinct <<<"$(stored "/$run/file")"
  echo
  echo "kill -9 of the tailing node mid-ingest, file ($(cut -d ' ' -f 1-3 /proc/loadavg) load average after)"
  echo "  ingestion going again $resumed ms after the kill (the other node took the source, or the restarted one)"
  echo "  $written lines written, $rows stored, $distinct distinct → lost $((written - distinct)), duplicated $((rows - distinct))"
else
  # Bodies of 12,000 lines to node A until it dies, then to node B; a body without a 200 is sent again.
  (
    n=0 bodies=0 retries=0 port=$a
    while [[ ! -e $work/stop ]]; do
      access_lines 12000 "/$run/http" | awk -v base="$n" '{ sub(/\/[0-9]+ HTTP/, "/" base + NR - 1 " HTTP"); print }' >"$work/body"
      until code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 120 -X POST "http://127.0.0.1:$port/api/logs?format=combined&host=faults" \
        -H "Authorization: Bearer $token" -H "Idempotency-Key: $run-$n" -H 'content-type: text/plain' \
        --data-binary "@$work/body") && [[ $code == 200 ]]; do
        retries=$((retries + 1))
        port=$b
        sleep 0.5
      done
      n=$((n + 12000))
      bodies=$((bodies + 1))
    done
    echo "$n $bodies $retries" >"$work/count"
  ) &
  # Mid-upload: once the first body is stored, the next ones are in flight all the time.
  until (($(stored "/$run/http" | cut -d ' ' -f 1) >= 12000)); do sleep 0.2; done
  sleep 0.3
  echo "kill -9 of the portal on port $a while it takes a 12,000-line body"
  kill -KILL "$(app_pid "$a")"
  sleep 15
  touch "$work/stop"
  for _ in $(seq 1 120); do [[ -s $work/count ]] && break; sleep 1; done
  read -r acknowledged bodies retries <"$work/count"
  sleep 3
  read -r rows distinct <<<"$(stored "/$run/http")"
  echo
  echo "kill -9 of a node mid-upload, HTTP ($(cut -d ' ' -f 1-3 /proc/loadavg) load average after)"
  echo "  $acknowledged lines acknowledged in $bodies bodies ($retries retries), $rows stored, $distinct distinct → lost $((acknowledged - distinct)), duplicated $((rows - distinct)), stored beyond the acknowledged $((distinct > acknowledged ? distinct - acknowledged : 0))"
fi
