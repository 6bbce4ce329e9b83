#!/bin/sh
# akko-audit k3s entry point: the one script the apply command runs, from the bundle the upload put on the
# node. Runs as the SSH login user: checks the bundle is whole (SHA256SUMS, and its directory name is the
# sha256 of SHA256SUMS), runs preflight.sh (apply only), then launch.sh as root (through sudo unless root).
#
# Inputs (environment variables):
#   AKKO_BUNDLE        the bundle directory: <stage dir>/bundles/<id> (relative to the login directory or
#                      absolute). Required.
#   AKKO_ACTION        apply | remove. Required.
#   AKKO_NODE          name used in messages (default: hostname)
#   AKKO_SUDO          "sudo -n" when the login user is not root, empty for root (default empty)
#   AKKO_POLICY_HASH   sha256 of the policy followed by the drop-in, passed on to launch.sh (which checks it)
#   AKKO_ROOT, AKKO_PATH_PREFIX  test hooks, passed on (see launch.sh)
#   stdin              apply: the secret manifests named in settings.env, read by launch.sh
# Everything else comes from the bundle's settings.env.
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
SUDO="${AKKO_SUDO:-}"
ACTION="${AKKO_ACTION:-}"

refuse() {
    printf 'akko-audit: node %s: %s\n' "$NODE" "$*" >&2
    exit 3
}

case "$ACTION" in apply | remove) ;; *) refuse "AKKO_ACTION must be apply or remove, got '$ACTION'" ;; esac
B="$(cd "${AKKO_BUNDLE:-/nonexistent}" 2>/dev/null && pwd)" || refuse "bundle ${AKKO_BUNDLE:-} is not on the node"
id="${B##*/}"
reupload="upload it again: pulumi up --replace <URN of this node's -bundle resource> (pulumi stack --show-urns lists it)"
(cd "$B" && sha256sum -c "SHA256SUMS" >/dev/null 2>&1) || refuse "bundle $B is incomplete or altered (sha256sum -c SHA256SUMS fails); nothing was changed; $reupload"
[ "$(sha256sum <"$B/SHA256SUMS" | cut -d ' ' -f 1)" = "$id" ] || refuse "bundle $B does not hash to its name; nothing was changed; $reupload"
# shellcheck source=/dev/null # generated per cluster, verified just above
. "$B/settings.env"

if [ "$ACTION" = apply ]; then
    # Preflight's own stdin is closed: the secret manifests on ours are for launch.sh.
    AKKO_NODE="$NODE" AKKO_SUDO="$SUDO" AKKO_STAGE_DIR="${B%/bundles/*}" AKKO_EFFECTIVE_ARGS_FILE="$B/effective-args.sh" \
        /bin/sh "$B/preflight.sh" </dev/null >/dev/null || exit $?
fi

# sudo starts from a clean environment: the inputs travel as env arguments.
set -- AKKO_BUNDLE="$B" AKKO_ACTION="$ACTION" AKKO_NODE="$NODE" AKKO_POLICY_HASH="${AKKO_POLICY_HASH:-}"
[ -n "${AKKO_ROOT:-}" ] && set -- "$@" AKKO_ROOT="$AKKO_ROOT"
[ -n "${AKKO_PATH_PREFIX:-}" ] && set -- "$@" AKKO_PATH_PREFIX="$AKKO_PATH_PREFIX"
# shellcheck disable=SC2086 # $SUDO is a command and its options
exec $SUDO env "$@" /bin/sh "$B/launch.sh"
