#!/bin/sh
# akko-audit k3s preflight: refuses, before anything on the node is touched, a node this program must not
# change. Runs as the SSH login user (not through sudo), so it can say clearly when sudo is missing.
# Prints one JSON line on success: {"k3sVersion":"v1.30.4+k3s1","user":"akko","sudo":true}.
#
# Inputs (environment variables; every one has a default):
#   AKKO_NODE          name used in messages (default: hostname)
#   AKKO_SERVICE       systemd unit of the k3s server (default k3s)
#   AKKO_SUDO          "sudo -n" when the login user is not root, empty for root (default empty)
#   AKKO_STAGE_DIR     directory the SSH user uploads files into; created mode 0700 and checked to be a
#                      real directory owned by the user (default: none, nothing created)
#   AKKO_ROOT          prefix for every node path (tests point it into a temporary root; default empty)
#   AKKO_PATH_PREFIX   directories put first on PATH (tests put stub systemctl/k3s there; default empty)
#   AKKO_EFFECTIVE_ARGS_FILE  effective-args.sh (run.sh passes the bundle's); run as root with AKKO_EXPECT_ARGS
#                      and AKKO_DROPIN_PATH (see that script) it refuses flags k3s would not really use
#                      (default empty: not checked, for running this script alone)
#   AKKO_EXPECT_ARGS, AKKO_DROPIN_PATH  passed on to effective-args.sh
#
# Refuses (exit 3, one message on stderr): k3s older than v1.21 (no config.yaml.d drop-ins); a unit that is
# not a k3s server (an agent runs no API server); kube-apiserver-arg on the k3s command line (command-line
# lists override config-file lists, so the drop-in would be silently ignored); a login user that is neither
# root nor allowed passwordless sudo; audit flags that k3s would not really use (effective-args.sh).
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
SERVICE="${AKKO_SERVICE:-k3s}"
SUDO="${AKKO_SUDO:-}"

refuse() {
    printf 'akko-audit: node %s: %s\n' "$NODE" "$*" >&2
    exit 3
}

# Root or passwordless sudo: everything after this runs as root.
uid="$(id -u)"
user="$(id -un 2>/dev/null || echo "$uid")"
uses_sudo=false
if [ "$uid" != 0 ]; then
    if [ -z "$SUDO" ]; then
        refuse "user $user is not root and no sudo is configured; log in as root or as a user with passwordless sudo"
    fi
    # $SUDO is a command and its options ("sudo -n"): split on purpose.
    # shellcheck disable=SC2086
    if ! $SUDO true >/dev/null 2>&1; then
        refuse "user $user has neither root nor passwordless sudo ('$SUDO true' failed); allow it in sudoers (NOPASSWD) or log in as root"
    fi
    uses_sudo=true
fi

command -v k3s >/dev/null 2>&1 || refuse "k3s is not installed (no k3s on PATH)"
version_line="$(k3s --version 2>/dev/null | head -n 1)"
version="$(printf '%s\n' "$version_line" | sed -n 's/.*\(v[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*[^ ]*\).*/\1/p')"
[ -n "$version" ] || refuse "cannot read the k3s version ('k3s --version' printed: $version_line)"
major="$(printf '%s' "$version" | sed 's/^v\([0-9]*\)\..*/\1/')"
minor="$(printf '%s' "$version" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')"
if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 21 ]; }; then
    refuse "k3s $version is older than v1.21, which has no config.yaml.d drop-ins; upgrade k3s first"
fi

exec_start="$(systemctl show -p ExecStart "$SERVICE" 2>/dev/null | head -n 1)"
argv="$(printf '%s\n' "$exec_start" | sed -n 's/.*argv\[\]=\([^;]*\);.*/\1/p')"
[ -n "$argv" ] || refuse "systemd unit $SERVICE has no ExecStart (is k3s installed as the $SERVICE service? set serviceName)"
# The word after the k3s binary is the subcommand: server or agent.
subcommand="$(printf '%s\n' "$argv" | awk '{ print $2 }')"
case "$subcommand" in
    server) ;;
    agent) refuse "unit $SERVICE runs 'k3s agent': agents run no API server and are never touched; remove this node from servers" ;;
    *) refuse "unit $SERVICE runs '$argv', not 'k3s server'; remove this node from servers or set serviceName" ;;
esac
case "$argv" in
    *kube-apiserver-arg*)
        refuse "kube-apiserver-arg is set on the k3s command line of unit $SERVICE ($argv); command-line lists override config-file lists, so the audit drop-in would be silently ignored. Fix: move those flags into /etc/rancher/k3s/config.yaml under kube-apiserver-arg, re-run the k3s install script without them in INSTALL_K3S_EXEC (or edit ExecStart), then systemctl daemon-reload"
        ;;
esac

# --- effective kube-apiserver args (effective-args.sh): the audit flags must be the ones k3s will use ---
if [ -n "${AKKO_EFFECTIVE_ARGS_FILE:-}" ]; then
    # As root: k3s configs and the unit's environment files are root-only. It prints its own refusal.
    # shellcheck disable=SC2086 # $SUDO is a command and its options
    $SUDO env AKKO_NODE="$NODE" AKKO_SERVICE="$SERVICE" AKKO_ROOT="${AKKO_ROOT:-}" AKKO_PATH_PREFIX="${AKKO_PATH_PREFIX:-}" \
        AKKO_DROPIN_PATH="${AKKO_DROPIN_PATH:-}" AKKO_EXPECT_ARGS="${AKKO_EXPECT_ARGS:-}" \
        /bin/sh "$AKKO_EFFECTIVE_ARGS_FILE" >/dev/null || exit 3
fi
# --- end effective args ---------------------------------------------------------------------------------

if [ -n "${AKKO_STAGE_DIR:-}" ]; then
    stage="$AKKO_STAGE_DIR"
    [ -L "$stage" ] && refuse "stage directory $stage is a symbolic link; remove it"
    (umask 077 && mkdir -p "$stage") || refuse "cannot create stage directory $stage"
    # ls -n: numeric owner, portable to busybox (stat -c is GNU-only).
    # shellcheck disable=SC2012
    owner="$(ls -ldn "$stage" | awk '{ print $3 }')"
    [ "$owner" = "$uid" ] || refuse "stage directory $stage belongs to uid $owner, not $user; remove it"
    chmod 0700 "$stage" || refuse "cannot chmod 0700 $stage"
fi

# JSON-escaped: the version is whatever `k3s --version` printed after the "v1.2.3".
printf '{"k3sVersion":"%s","user":"%s","sudo":%s}\n' "$(printf '%s' "$version" | sed 's/[\\"]/\\&/g')" "$user" "$uses_sudo"
