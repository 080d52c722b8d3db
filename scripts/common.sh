# shellcheck shell=bash
# Helpers shared by run.sh, test.sh and scripts/postgres.sh. Source it; it defines functions only
# (plus a few quiet-output defaults for the dotnet CLI).

# The dotnet CLI's first-run banner and telemetry notice are noise in a terminal and in CI logs.
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"

log() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Runs a command as root: directly when we are root (CI, containers), through sudo otherwise.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root and sudo is not installed; run it as root, then try again."
  fi
}

# apt_install PACKAGE... — installs Debian/Ubuntu packages quietly. apt's own output goes to a log
# that is shown only on failure. A fresh machine (or an old container image) often has no package
# lists yet, so when the first attempt fails we run `apt-get update` once and try again.
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "Cannot install $* automatically: apt-get not found (this script supports Debian/Ubuntu). Install $* and run again."
  local apt_log
  apt_log=$(mktemp "${TMPDIR:-/tmp}/opsportal-apt.XXXXXX")
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends)
  if ! as_root "${apt[@]}" install "$@" >"$apt_log" 2>&1; then
    log "apt-get install failed; refreshing the package lists and trying again"
    if ! { as_root "${apt[@]}" update && as_root "${apt[@]}" install "$@"; } >>"$apt_log" 2>&1; then
      tail -n 30 "$apt_log" >&2
      rm -f "$apt_log"
      die "Could not install $* with apt-get (log above)."
    fi
  fi
  rm -f "$apt_log"
}

# require_dotnet_sdk MAJOR — stops with install instructions unless a .NET SDK MAJOR.x is present.
require_dotnet_sdk() {
  local major=$1 sdks=""
  # Captured first: `dotnet … | grep -q` could fail under pipefail when grep exits early.
  command -v dotnet >/dev/null 2>&1 && sdks=$(dotnet --list-sdks 2>/dev/null || true)
  if grep -q "^${major}\." <<<"$sdks"; then
    return 0
  fi
  local found="dotnet is not installed"
  command -v dotnet >/dev/null 2>&1 && found="dotnet is installed, but without a ${major}.x SDK"
  cat >&2 <<EOF
error: the .NET ${major} SDK is required ($found).

Install it, then run this script again. For example:
  * Debian 12 (Microsoft's package feed):
      wget https://packages.microsoft.com/config/debian/12/packages-microsoft-prod.deb
      sudo dpkg -i packages-microsoft-prod.deb && sudo apt-get update
      sudo apt-get install -y dotnet-sdk-${major}.0
  * Any Linux, without root (installs into ~/.dotnet):
      curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel ${major}.0
      export PATH="\$HOME/.dotnet:\$PATH"
  More: https://learn.microsoft.com/dotnet/core/install/linux
EOF
  exit 1
}

# port_in_use PORT — true when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# random_secret — 48 hex characters from the kernel's CSPRNG. (od reads exactly what it needs, so
# no pipe gets cut short, which `set -o pipefail` would report as a failure.)
random_secret() {
  od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
}
