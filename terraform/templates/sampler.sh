#!/usr/bin/env bash
# In-task sampler: the command of the runner task's second, non-essential container (the runner image,
# so nothing new is pulled; it uses bash, curl, jq and coreutils only).
#
# Every SAMPLE_PERIOD_S seconds it reads the task metadata endpoint v4's task stats (Docker-stats-shaped,
# one entry per container of the task) and writes ONE JSON line to stdout, which the awslogs driver sends
# to this container's own log stream (sampler/sampler/<task id>):
#   {"task_id": <32 hex>, "timestamp_ms": <when the counters were read, epoch ms>,
#    "cpu_ns": <cumulative CPU time of the task's containers, ns>,
#    "memory_bytes": <memory in use summed over the containers: usage less inactive page cache>,
#    "cpu_limit_vcpu": <the task's CPU limit, vCPU>, "memory_limit_mib": <its memory limit, MiB>}
# Raw cumulative counters only: the suite computes rates from consecutive lines (suite/analyze/samples.py).
# timestamp_ms is the stats' own `read` stamp (the newest of the containers'), else this shell's clock.
# The task id and limits come from `${ECS_CONTAINER_METADATA_URI_V4}/task`, read once: they are fixed for
# the task's life. A reading that fails is skipped (a note on stderr), never the end of the sampler.
# Nothing is written to disk (pipes, not here-strings): the container's root filesystem is read-only.
# SAMPLE_COUNT (tests): stop after that many readings; unset or 0: until the task stops.
set -uo pipefail

period="${SAMPLE_PERIOD_S:-5}"
count="${SAMPLE_COUNT:-0}"
base="${ECS_CONTAINER_METADATA_URI_V4:?ECS_CONTAINER_METADATA_URI_V4 is not set: not running in an ECS task}"

note() { echo "sampler: $*" >&2; }
trap 'exit 0' TERM INT # the task is stopping (bash as PID 1 would otherwise ignore SIGTERM)

task=""
until task="$(curl -fsS --max-time 5 "${base}/task")" && printf '%s' "${task}" | jq -e '.TaskARN | type == "string"' >/dev/null; do
  note "task metadata not read yet; retrying"
  sleep 1
done
task_id="$(printf '%s' "${task}" | jq -r '.TaskARN | split("/") | last')"
cpu_limit="$(printf '%s' "${task}" | jq -c '.Limits.CPU // null')"
memory_limit="$(printf '%s' "${task}" | jq -c '.Limits.Memory // null')"

# shellcheck disable=SC2016 # jq's own variables
reading='
  def epoch_ms: capture("^(?<s>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?<f>\\.[0-9]+)?")
    | (.s + "Z" | fromdateiso8601) * 1000 + (((.f // ".0")[1:] + "000")[0:3] | tonumber);
  [.[] | select(type == "object")] as $c
  | ([$c[] | .read? | select(type == "string") | epoch_ms? | select(. > 0)] | max) as $read
  | {
      task_id: $task,
      timestamp_ms: ($read // $now),
      cpu_ns: ([$c[] | .cpu_stats.cpu_usage.total_usage // 0] | add // 0),
      memory_bytes: ([$c[] | .memory_stats as $m
        | (($m.stats.total_inactive_file // $m.stats.inactive_file // 0)) as $idle
        | ($m.usage // 0) | if $idle < . then . - $idle else . end] | add // 0),
      cpu_limit_vcpu: $cpu,
      memory_limit_mib: $memory
    }'

taken=0
while :; do
  now_ms="$(date +%s%3N)"
  if stats="$(curl -fsS --max-time 5 "${base}/task/stats")"; then
    printf '%s' "${stats}" | jq -c --arg task "${task_id}" --argjson now "${now_ms}" \
      --argjson cpu "${cpu_limit}" --argjson memory "${memory_limit}" "${reading}" || note "task stats unreadable"
  else
    note "task stats not read"
  fi
  taken=$((taken + 1))
  if [ "${count}" -gt 0 ] && [ "${taken}" -ge "${count}" ]; then
    exit 0
  fi
  sleep "${period}" &
  wait $! # wait (not sleep in the foreground) so that SIGTERM ends the sampler at once
done
