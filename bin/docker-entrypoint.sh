#!/bin/sh
# The image's entry: `hub start` and `hub api` listen beyond loopback here, so they refuse to run
# with the example admin token; workers and one-off commands need no token.
set -e
case "$1" in
  start|api)
    if [ -z "$HUB_ADMIN_TOKEN" ] || [ "$HUB_ADMIN_TOKEN" = "local-admin-token-change-me" ]; then
      echo "hub $1: set HUB_ADMIN_TOKEN (at least 16 characters) before starting the API in a container; it listens on ${HUB_HOST:-0.0.0.0}" >&2
      exit 1
    fi
    ;;
esac
exec node /app/bin/hub.js "$@"
