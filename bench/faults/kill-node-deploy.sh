#!/usr/bin/env bash
# Two ./run.sh nodes on one database, a deploy running, and kill -9 of the portal process that runs
# it. Prints when the script's processes (the script and a child it started) were gone, when the
# target unlocked (a second deploy, tried every 200 ms on the other node, was accepted), whether the
# second deploy's script found any process of the first (an overlap), and the first one's outcome.
#   bench/faults/kill-node-deploy.sh      PORT=6130 (and PORT+1) by default
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
a=${PORT:-6130}
b=$((a + 1))
work="$SCRATCH/deploy-$(date +%s)"
mkdir -p "$work"
trap stop_all_nodes EXIT

slow_deploy_config "$work/deploy" 120
for port in "$a" "$b"; do
  node_start "$port" OpsPortal__Deploys__ConfigPath="$work/deploy/services.yaml"
  node_wait "$port"
done
token=$(bench_token "$a")
echo "machine: $(machine)"

first=$(api "$a" "$token" POST /api/deploys '{"service":"faults","environment":"slow","version":"1.0"}' | json id)
until grep -q "^$first pids" "$work/deploy/timeline"; do sleep 0.2; done
sleep 3
read -r _ _ script child <<<"$(grep "^$first pids" "$work/deploy/timeline")"
runner=$(sql "SELECT runner FROM deploys WHERE id = $first")
victim=$(app_pid "$a")
other=$b
if [[ $runner != */"$victim"/* ]]; then
  victim=$(app_pid "$b")
  other=$a
fi
[[ $runner == */"$victim"/* ]] || die "deploy $first runs on neither node ($runner)"

echo "kill -9 of the portal process $victim (runner of deploy #$first; script $script, its child $child)"
kill -KILL "$victim"
killed_at=$(now_ms)
gone_at=""
accepted_at=""
refused=0
second=""
while [[ -z $gone_at || -z $second ]] && (($(now_ms) - killed_at < 180000)); do
  if [[ -z $gone_at ]] && ! kill -0 "$script" 2>/dev/null && ! kill -0 "$child" 2>/dev/null; then gone_at=$(now_ms); fi
  if [[ -z $second ]]; then
    code=$(curl -s -o "$work/answer.json" -w '%{http_code}' -X POST "http://127.0.0.1:$other/api/deploys" \
      -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"service":"faults","environment":"slow","version":"1.1"}')
    if [[ $code == 202 ]]; then
      second=$(json id <"$work/answer.json")
      accepted_at=$(now_ms)
    else
      refused=$((refused + 1))
    fi
  fi
  sleep 0.2
done
until grep -q "^$second pids" "$work/deploy/timeline" 2>/dev/null; do sleep 0.2; done
api "$other" "$token" POST "/api/deploys/$second/cancel" >/dev/null || true
outcome=$(sql "SELECT status || ': ' || coalesce(outcome, '') FROM deploys WHERE id = $first")

echo
echo "kill -9 of the node running a deploy ($(cut -d ' ' -f 1-3 /proc/loadavg) load average after)"
echo "  the script and its child were gone $((gone_at - killed_at)) ms after the kill"
echo "  the target unlocked $((accepted_at - killed_at)) ms after the kill ($refused attempts refused before)"
echo "  overlapping deploys: $(grep -c overlap "$work/deploy/timeline" || true)"
echo "  deploy #$first: $outcome"
