#!/usr/bin/env bash
# Runner bootstrap: the command of the runner container (ghcr.io/actions/actions-runner, user runner,
# /home/runner). It holds NO GitHub credential: the init container `jit-init` (jit_init.sh) minted a
# just-in-time runner configuration with it and wrote only that to JIT_CONFIG_FILE, on a task volume this
# container mounts read-only. The runner started with it is named after the ECS task id, carries the
# fleet's labels and is single use (ephemeral by construction): one job, then GitHub removes it.
#
# Signals: ECS stops a task with SIGTERM. The traps below are installed before anything else, so a stop
# during start-up ends the script at once. Then the runner's own run.sh replaces this shell (exec: it
# becomes the container's process 1 and receives the signal itself) with RUNNER_MANUALLY_TRAP_SIG set:
# run.sh then starts the listener as a job of its own process group (set -m) and turns INT and TERM into
# SIGINT for that group, so the listener closes its session and exits within seconds. (A listener started
# as a plain background job of a non-interactive shell inherits SIGINT ignored, and .NET keeps it so.)
# No umask here: jobs inherit this process's umask.
trap 'exit 143' TERM
trap 'exit 130' INT
set -euo pipefail

config_file="${JIT_CONFIG_FILE:?JIT_CONFIG_FILE is not set: the JIT configuration written by the init container}"
if [ ! -s "${config_file}" ]; then
  echo "bootstrap: no JIT configuration at ${config_file}: the jit-init container did not write one (see its log stream)" >&2
  exit 3
fi
config="$(<"${config_file}")"

export RUNNER_MANUALLY_TRAP_SIG=1
exec ./run.sh --jitconfig "${config}"
