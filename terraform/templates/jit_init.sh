#!/usr/bin/env bash
# JIT init: the command of the runner task's init container `jit-init` (the runner image, run before the
# runner container starts; not essential; the runner container waits for it to exit 0). The ONLY
# container of the task that holds the long-lived GitHub credential, and only for the seconds it runs:
#  1. reads the task id (last segment of TaskARN) from the task metadata endpoint v4: the runner's name,
#     the key the suite joins GitHub jobs, Container Insights metrics and ECS task events on;
#  2. with the credential ECS injected from Secrets Manager (GITHUB_CREDENTIAL: {"token": ...} or
#     {"app_id", "installation_id", "private_key"}; an App first exchanges a JWT for an installation
#     token) asks GitHub for a just-in-time runner configuration: POST .../actions/runners/generate-jitconfig
#     (repository, or organization when RUNNER_SCOPE=org) with name = task id, the fleet's labels, the
#     runner group and work folder;
#  3. writes ONLY the encoded JIT configuration to JIT_CONFIG_FILE, on a task volume the runner
#     container mounts read-only, and exits. The credential is never printed and never written to disk
#     (pipes, not here-strings: the container's root filesystem is read-only; an App's private key
#     goes to openssl through a pipe).
# The JIT runner is single use (ephemeral): it takes one job and GitHub removes it.
set -euo pipefail
trap 'exit 143' TERM # the task is stopping: nothing to undo (a runner never started is removed by GitHub)
trap 'exit 130' INT
umask 077 # this container only: its files are the secret's; no job ever runs here

log() { echo "jit-init: $*" >&2; }

credential="${GITHUB_CREDENTIAL:?GITHUB_CREDENTIAL was not injected: check the task definition secrets}"
unset GITHUB_CREDENTIAL
out="${JIT_CONFIG_FILE:?JIT_CONFIG_FILE is not set: the path on the shared volume}"
api="${GITHUB_API_URL:?GITHUB_API_URL is not set}"

task_arn="$(curl -fsS --max-time 10 --retry 5 --retry-connrefused "${ECS_CONTAINER_METADATA_URI_V4:?not in an ECS task}/task" | jq -r .TaskARN)"
name="${task_arn##*/}"
[ -n "${name}" ] && [ "${name}" != "null" ] || {
  log "no TaskARN in the task metadata"
  exit 3
}
log "runner name ${name} (ECS task ${task_arn})"

if [ "${RUNNER_SCOPE:-repo}" = "org" ]; then
  api_path="orgs/${GITHUB_OWNER}"
else
  api_path="repos/${GITHUB_OWNER}/${GITHUB_REPO}"
fi

gh() { # METHOD PATH [BODY]: the API, the token read from standard input (never on a command line)
  local token
  local -a body=()
  IFS= read -r token
  [ $# -ge 3 ] && body=(-H "Content-Type: application/json" --data "$3")
  curl -fsS --max-time 30 --retry 3 -X "$1" -K - \
    -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" \
    "${body[@]}" "${api}/$2" < <(printf 'header = "Authorization: Bearer %s"\n' "${token}")
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
put() { printf '%s\n' "$1"; } # a value to a pipe (a builtin: never on a command line, never on disk)

api_token() {
  if put "${credential}" | jq -e 'has("token")' >/dev/null; then
    put "${credential}" | jq -r .token
    return
  fi
  # GitHub App: a 9-minute JWT signed with the App's private key, exchanged for an installation token.
  local app_id installation_id now header payload signature
  app_id="$(put "${credential}" | jq -r .app_id)"
  installation_id="$(put "${credential}" | jq -r .installation_id)"
  now="$(date +%s)"
  header="$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)"
  payload="$(printf '{"iat":%d,"exp":%d,"iss":"%s"}' "$((now - 60))" "$((now + 540))" "${app_id}" | b64url)"
  signature="$(printf '%s.%s' "${header}" "${payload}" |
    openssl dgst -sha256 -sign <(put "${credential}" | jq -r .private_key) | b64url)"
  put "${header}.${payload}.${signature}" | gh POST "app/installations/${installation_id}/access_tokens" | jq -r .token
}

token="$(api_token)"

group_id=1 # the default runner group
if [ "${RUNNER_SCOPE:-repo}" = "org" ] && [ -n "${RUNNER_GROUP:-}" ]; then
  group_id="$(put "${token}" | gh GET "orgs/${GITHUB_OWNER}/actions/runner-groups?per_page=100" |
    jq -r --arg g "${RUNNER_GROUP}" '[.runner_groups[] | select(.name == $g) | .id][0] // empty')"
  [ -n "${group_id}" ] || {
    log "runner group ${RUNNER_GROUP} not found in ${GITHUB_OWNER}"
    exit 3
  }
fi

request="$(jq -cn --arg name "${name}" --arg labels "${RUNNER_LABELS:-self-hosted}" \
  --argjson group "${group_id}" --arg work "${RUNNER_WORK_FOLDER:-_work}" \
  '{name: $name, runner_group_id: $group, labels: ($labels | split(",") | map(select(length > 0))), work_folder: $work}')"
answer="$(put "${token}" | gh POST "${api_path}/actions/runners/generate-jitconfig" "${request}")"
unset token credential

tmp="$(mktemp "${out}.XXXXXX")"
put "${answer}" | jq -er .encoded_jit_config >"${tmp}"
chmod 0444 "${tmp}" # the runner container's user reads it (another uid than this container's)
mv -f "${tmp}" "${out}"
log "JIT configuration for runner $(put "${answer}" | jq -r .runner.id) (${name}) written"
