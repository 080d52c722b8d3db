# shellcheck shell=bash
# A StatsD client we did not write, for the tests that send real StatsD traffic to the portal's
# listener (OpsPortal.Tests/Metrics/StatsdClientTests.cs) and for bench/statsd-bench.sh: Debian's
# python3-statsd, run with the distribution's own interpreter (/usr/bin/python3), which is the one
# that sees the package. Source it; it defines functions only.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STATSD_PYTHON=/usr/bin/python3

# statsd_client_missing — true when python3-statsd cannot be imported (so test.sh adds it to its apt run).
statsd_client_missing() {
  ! "$STATSD_PYTHON" -c 'import statsd' >/dev/null 2>&1
}

# statsd_client_ensure — installs python3-statsd from the distribution when missing.
statsd_client_ensure() {
  if statsd_client_missing; then
    log "Installing python3-statsd (a StatsD client for the metrics tests)"
    apt_install python3-statsd
  fi
  statsd_client_missing && die "python3-statsd was installed but $STATSD_PYTHON cannot import statsd."
  return 0
}
