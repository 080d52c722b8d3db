# shellcheck shell=bash
# A real SMTP server for the tests: smtp4dev (a .NET local tool, see dotnet-tools.json) with STARTTLS
# offered (a self-signed certificate), one user for AUTH, messages kept in memory, and its HTTP API for
# the tests to read what arrived. Source it; it defines functions only.
#
#   smtp4dev_start DIR SMTP_PORT API_PORT   starts it (folder DIR holds its pid, log and certificate) and
#                                           exports OPSPORTAL_TEST_SMTP (host:port), OPSPORTAL_TEST_SMTP_API
#                                           (http://host:port) and OPSPORTAL_TEST_SMTP_LOGIN (user:password)
#   smtp4dev_stop DIR                       stops it
#
# The tests' SmtpTestServer (OpsPortal.Tests/Infrastructure) reads those variables.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

smtp4dev_start() {
  local dir=$1 smtp_port=$2 api_port=$3 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  mkdir -p "$dir"
  (cd "$root" && dotnet tool restore >"$dir/restore.log" 2>&1) || {
    cat "$dir/restore.log" >&2
    die "dotnet tool restore failed (smtp4dev)"
  }
  local password
  password=$(random_secret)
  # setsid: its own process group, so smtp4dev_stop ends it and anything it started.
  (cd "$root" && exec setsid dotnet smtp4dev --urls="http://127.0.0.1:$api_port" --smtpport="$smtp_port" \
    --bindaddress=127.0.0.1 --imapport= --pop3port= --db= --messagestokeep=100000 --sessionstokeep=100 \
    --tlsmode=StartTls --hostname=localhost --user="opsportal=$password" --smtpallowanycredentials- \
    --nousersettings --baseappdatapath="$dir" </dev/null >"$dir/smtp4dev.log" 2>&1) &
  echo $! >"$dir/pid"
  local waited=0
  until port_in_use "$api_port" && port_in_use "$smtp_port"; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null || ((waited >= 120)); then
      tail -n 30 "$dir/smtp4dev.log" >&2
      die "smtp4dev did not start (log above)"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  export OPSPORTAL_TEST_SMTP="127.0.0.1:$smtp_port"
  export OPSPORTAL_TEST_SMTP_API="http://127.0.0.1:$api_port"
  export OPSPORTAL_TEST_SMTP_LOGIN="opsportal:$password"
}

smtp4dev_stop() {
  local dir=$1 pid
  [[ -f $dir/pid ]] || return 0
  pid=$(cat "$dir/pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 20)); do
    sleep 0.5
    waited=$((waited + 1))
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}
