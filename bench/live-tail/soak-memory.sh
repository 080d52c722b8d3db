#!/usr/bin/env bash
# Runs soak.mjs against a running portal and records where the server's memory goes:
# RSS + load average every 10 s, dotnet-counters (GC, JIT, exceptions), the RSS split from
# /proc/PID/smaps (anonymous = GC heap + native, doublemapper = JIT code and stubs, files = mapped
# assemblies), and GC heap dumps at 1 min, at the end and 60 s after it (each dump runs a full GC).
#   SERVER_PID=… OPSPORTAL_URL=http://127.0.0.1:PORT OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… \
#     bench/live-tail/soak-memory.sh OUT_DIR [SECONDS]
# Then: summary in OUT_DIR/summary.txt; `dotnet-gcdump report OUT_DIR/atend.gcdump` for the heap.
set -euo pipefail
out=${1:?usage: soak-memory.sh OUT_DIR [SECONDS]}
secs=${2:-480}
((secs >= 90)) || { echo "SECONDS must be at least 90" >&2; exit 2; }
pid=${SERVER_PID:?set SERVER_PID to the portal process id}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=${DOTNET_TOOLS:-/tmp/opsportal-dotnet-tools}
mkdir -p "$out"
for tool in dotnet-counters dotnet-gcdump; do
  [[ -x $tools/$tool ]] || dotnet tool install "$tool" --version 10.0.750501 --tool-path "$tools" >/dev/null
done

split() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6; kind = (name == "" || name ~ /^\[/) ? "anon" : (name ~ /doublemapper/ ? "doublemapper" : "files") }
       /^Rss:/ { kb[kind] += $2 }
       END { printf "anon=%d doublemapper=%d files=%d MiB", kb["anon"]/1024, kb["doublemapper"]/1024, kb["files"]/1024 }' "/proc/$pid/smaps"
}
note() { echo "$1 $(split) rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status") load=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/split.txt"; }

: >"$out/rss.txt"
note start
start=$(date +%s)
(while kill -0 "$pid" 2>/dev/null; do
  echo "$(($(date +%s) - start)) $(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status") $(cut -d' ' -f1 /proc/loadavg)" >>"$out/rss.txt"
  sleep 10
done) &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT
total=$((secs + 90))
"$tools/dotnet-counters" collect -p "$pid" --counters System.Runtime --format csv -o "$out/counters.csv" \
  --refresh-interval 10 --duration "00:00:$((total / 60)):$((total % 60))" </dev/null >/dev/null 2>&1 &
counters=$!
(cd "$here" && SECONDS_TO_RUN=$secs node soak.mjs) >"$out/soak.txt" 2>&1 &
soak=$!
sleep 70
note 1min
"$tools/dotnet-gcdump" collect -p "$pid" -o "$out/at1min.gcdump" >/dev/null
sleep $((secs - 70))
note end
"$tools/dotnet-gcdump" collect -p "$pid" -o "$out/atend.gcdump" >/dev/null
wait "$soak" || true
sleep 60
"$tools/dotnet-gcdump" collect -p "$pid" -o "$out/after60.gcdump" >/dev/null
note after60s
wait "$counters" || true

{
  cat "$out/soak.txt"
  cat "$out/split.txt"
  for dump in at1min atend after60; do
    echo "$dump: $("$tools/dotnet-gcdump" report "$out/$dump.gcdump" | head -n 1 | xargs) (live, after the dump's full GC)"
  done
  # Least-squares RSS slope after the first 2 minutes of the soak.
  awk -v end="$secs" '$1 >= 120 && $1 <= end { n++; t += $1; r += $2; tt += $1 * $1; tr += $1 * $2; lo = (n == 1 || $2 < lo) ? $2 : lo; hi = $2 > hi ? $2 : hi }
       END { s = (n * tr - t * r) / (n * tt - t * t) * 60; printf "RSS from 2 min to the end: %d samples, %d-%d MiB, slope %.1f MiB/min\n", n, lo, hi, s }' "$out/rss.txt"
} | tee "$out/summary.txt"
