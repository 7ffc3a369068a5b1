#!/bin/sh
# ctscope: runs the agent CLI on the Node.js runtime shipped in ../lib/ctscope, with the agent's V8
# flags (@NODE_FLAGS@, from apps/agent/bin/node-flags.mjs). Works through symlinks and whatever PATH
# the caller has.
# The runtime sits beside this script's directory. Unless "$0" itself is a symlink, the kernel resolves
# "$0"'s directory and ".." as readlink -f would, so the usual start spawns nothing: each readlink or
# dirname is a process start, ~10 ms of every command together on a slow machine.
case "$0" in
  */*) lib="${0%/*}/../lib/ctscope" ;;
  *) lib=../lib/ctscope ;;
esac
if [ -L "$0" ] || [ ! -x "$lib/node" ]; then
  lib=$(PATH=/usr/bin:/bin; readlink -f "$(dirname "$(readlink -f "$0")")/../lib/ctscope")
fi
# `ctscope list` and conntrack's own command line (a first argument such as -L or -R, or `conntrack`;
# isConntrackCommandLine() in packages/conntrack/src/compat/options.ts) start from bundles of their own,
# as apps/agent/bin/ctscope.mjs does in a checkout, and without the agent's V8 flags (they are for the
# agent's long-lived table: a short command's small young generation only costs it scavenges, ~15 ms
# of CPU for a 10,000-line -R batch). They open no TLS connection, so they start without
# NODE_EXTRA_CA_CERTS: Node 20 reads and parses that whole file before running anything (~35 ms of
# CPU for Debian's CA bundle), and `sudo` drops it anyway.
case "$1" in
  -h | --help | -V | --version) ;;
  list) entry=list.cjs ;;
  conntrack | -?*) entry=conntrack.cjs ;;
esac
if [ -n "${entry:-}" ]; then
  unset NODE_EXTRA_CA_CERTS
  exec "$lib/node" "$lib/$entry" "$@"
fi
exec "$lib/node" @NODE_FLAGS@ "$lib/ctscope.mjs" "$@"
