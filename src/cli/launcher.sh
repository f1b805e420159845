#!/bin/sh
# The `gitcron` command: starts dist/bin/gitcron.cjs with the `node` on PATH.
#
# Node 20 loads every certificate NODE_EXTRA_CA_CERTS names as it starts, before any script
# runs: ~50 ms of each start with a system bundle (nodejs/node#40524; Node 24 loads them only
# when TLS is first used). A command that opens no TLS connection starts Node without the
# variable, and gitcron puts it back into its own environment at once (main.ts), so the
# programs it starts see it as it was.
case "${1-}" in
  validate | schema | next | import | "" | -h | --help | --version) defer=1 ;;
  # Only the engine is reached: over TLS only when DOCKER_HOST is a tcp:// address.
  run) case "${DOCKER_HOST:-unix://}" in unix://*) defer=1 ;; esac ;;
esac
if [ -n "${defer-}" ] && [ -n "${NODE_EXTRA_CA_CERTS+set}" ]; then
  GITCRON_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export GITCRON_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
self=$0
# npm and the agent image link the command here from elsewhere.
if [ -L "$self" ]; then self=$(readlink -f -- "$self"); fi
case "$self" in */*) ;; *) self=./$self ;; esac
exec node "${self%/*}/gitcron.cjs" "$@"
