#!/bin/sh
# ctscope: runs the agent CLI on the Node.js runtime shipped in ../lib/ctscope, with the agent's V8
# flags (@NODE_FLAGS@, from apps/agent/bin/node-flags.mjs). Works through symlinks (readlink -f) and
# whatever PATH the caller has.
lib=$(PATH=/usr/bin:/bin; readlink -f "$(dirname "$(readlink -f "$0")")/../lib/ctscope")
exec "$lib/node" @NODE_FLAGS@ "$lib/ctscope.mjs" "$@"
