#!/usr/bin/env bash
# Runner bootstrap: the container command of ghcr.io/actions/actions-runner (user runner, /home/runner).
#  1. names the runner after its ECS task id (last segment of TaskARN from the task metadata endpoint v4),
#     the key the suite joins GitHub jobs, Container Insights metrics and ECS task events on;
#  2. gets a registration token with the credential ECS injected from Secrets Manager
#     (GITHUB_CREDENTIAL: {"token": ...} or {"app_id", "installation_id", "private_key"});
#  3. registers (repository or organization scope, labels, ephemeral by default) and runs;
#  4. on SIGTERM (ECS stopping the task) stops the runner and deregisters it.
# The credential is never printed and is not exported to the runner or its jobs.
set -euo pipefail
umask 077

log() { echo "bootstrap: $*" >&2; }

credential="${GITHUB_CREDENTIAL:?GITHUB_CREDENTIAL was not injected: check the task definition secrets}"
unset GITHUB_CREDENTIAL

task_arn="$(curl -fsS --retry 5 --retry-connrefused "${ECS_CONTAINER_METADATA_URI_V4}/task" | jq -r .TaskARN)"
RUNNER_NAME="${task_arn##*/}"
log "runner name ${RUNNER_NAME} (ECS task ${task_arn})"

if [ "${RUNNER_SCOPE}" = "org" ]; then
  api_path="orgs/${GITHUB_OWNER}"
  runner_url="${GITHUB_URL}/${GITHUB_OWNER}"
else
  api_path="repos/${GITHUB_OWNER}/${GITHUB_REPO}"
  runner_url="${GITHUB_URL}/${GITHUB_OWNER}/${GITHUB_REPO}"
fi

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

api_token() {
  if jq -e 'has("token")' >/dev/null <<<"${credential}"; then
    jq -r .token <<<"${credential}"
    return
  fi
  # GitHub App: a 9-minute JWT signed with the App's private key, exchanged for an installation token.
  local app_id installation_id key now header payload signature
  app_id="$(jq -r .app_id <<<"${credential}")"
  installation_id="$(jq -r .installation_id <<<"${credential}")"
  key="$(mktemp)"
  jq -r .private_key <<<"${credential}" >"${key}"
  now="$(date +%s)"
  header="$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)"
  payload="$(printf '{"iat":%d,"exp":%d,"iss":"%s"}' "$((now - 60))" "$((now + 540))" "${app_id}" | b64url)"
  signature="$(printf '%s.%s' "${header}" "${payload}" | openssl dgst -sha256 -sign "${key}" | b64url)"
  rm -f "${key}"
  curl -fsS -X POST \
    -H "Authorization: Bearer ${header}.${payload}.${signature}" \
    -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" \
    "${GITHUB_API_URL}/app/installations/${installation_id}/access_tokens" | jq -r .token
}

runner_token() { # registration-token | remove-token
  curl -fsS --retry 3 -X POST \
    -H "Authorization: Bearer $(api_token)" \
    -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" \
    "${GITHUB_API_URL}/${api_path}/actions/runners/$1" | jq -r .token
}

flags=(--unattended --replace --disableupdate --url "${runner_url}" --name "${RUNNER_NAME}" --work _work)
[ -n "${RUNNER_LABELS:-}" ] && flags+=(--labels "${RUNNER_LABELS}")
[ "${RUNNER_EPHEMERAL:-true}" = "true" ] && flags+=(--ephemeral)
[ "${RUNNER_SCOPE}" = "org" ] && [ -n "${RUNNER_GROUP:-}" ] && flags+=(--runnergroup "${RUNNER_GROUP}")

./config.sh "${flags[@]}" --token "$(runner_token registration-token)"
log "registered ${RUNNER_NAME} at ${runner_url}"

runner_pid=""
deregister() {
  log "SIGTERM: stopping and deregistering ${RUNNER_NAME}"
  if [ -n "${runner_pid}" ]; then
    kill -TERM "${runner_pid}" 2>/dev/null || true
    wait "${runner_pid}" 2>/dev/null || true
  fi
  if [ -f .runner ]; then # an ephemeral runner that finished its job has removed itself already
    ./config.sh remove --token "$(runner_token remove-token)" || log "deregistration failed: suite destroy removes offline runners"
  fi
  exit 143
}
trap deregister TERM INT

./run.sh &
runner_pid=$!
set +e
wait "${runner_pid}"
status=$?
log "runner exited with status ${status}"
exit "${status}"
