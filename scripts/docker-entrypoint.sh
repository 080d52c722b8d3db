#!/bin/sh
# Entry point of the OpsPortal container (see Dockerfile). With no arguments, or only options:
# apply migrations, create the first admin if there is none, then serve. A command of the app
# binary (migrate, ensure-admin, add-user EMAIL ROLE, help) runs on its own, e.g.
#   docker compose run --rm app add-user jane@example.com Engineer
# POSIX sh: the runtime image has no bash guarantee.
set -eu
cd /app

case "${1:-}" in
  migrate | ensure-admin | add-user | help | --help)
    exec dotnet OpsPortal.Web.dll "$@"
    ;;
esac

# The database may still be starting: compose waits for its health check, other set-ups may not.
attempt=1
until dotnet OpsPortal.Web.dll migrate; do
  if [ "$attempt" -ge 10 ]; then
    echo "opsportal: migrations failed $attempt times; giving up." >&2
    exit 1
  fi
  echo "opsportal: migrations failed (database not ready?); retrying in 3 s ($attempt/10)" >&2
  attempt=$((attempt + 1))
  sleep 3
done

# Prints a generated password once, into the container's log, when OPSPORTAL_ADMIN_PASSWORD is empty.
dotnet OpsPortal.Web.dll ensure-admin

exec dotnet OpsPortal.Web.dll "$@"
