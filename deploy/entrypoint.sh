#!/bin/sh
# The Tradeloop image's entrypoint: runs the service named by TRADELOOP_SERVICE, or, given
# arguments, runs them instead (for example `npx tradeloop apikey create …` or a backtest).
set -eu
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

SERVICES="gateway market-data scanner rl-decision risk governor executor notifier learning"
service="${TRADELOOP_SERVICE:-}"
for s in $SERVICES; do
  if [ "$s" = "$service" ]; then
    exec node -r @swc-node/register "apps/$service/src/main.ts"
  fi
done
echo "tradeloop: TRADELOOP_SERVICE must be one of: $SERVICES (got '${service}')" >&2
exit 64
