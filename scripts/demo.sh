#!/usr/bin/env bash
# From a fresh Debian machine (as root): install what nslab needs, build it, bring up seed lab 1,
# show that red reaches blue, show an empty plan, and tear the lab down again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
command -v sysctl >/dev/null || need+=(procps)
command -v nft >/dev/null || need+=(nftables)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"; fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "nslab needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none)); Debian 12's own nodejs package is 18." >&2
  exit 1
fi
npm ci --no-audit --no-fund
npx nslab apply examples/red-blue.ts --auto-approve
ip netns exec red ping -c1 10.10.0.2
npx nslab plan examples/red-blue.ts --detailed-exitcode
npx nslab destroy examples/red-blue.ts --auto-approve
