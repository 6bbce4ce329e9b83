#!/bin/sh
# akko-audit k3s launcher: starts converge.sh DETACHED on the node and polls for its result, so that a
# dropped SSH connection or a killed `pulumi up` never leaves the node half-applied: the detached run goes
# on to the end (apply, restart, verify, or roll back), and the next run finds its result or its backup.
# Runs as root (the component calls it through `sudo -n`). Prints the run's result as one JSON line on
# stdout; on failure also prints the run's message on stderr and exits 1.
#
# Inputs (environment variables):
#   AKKO_BUNDLE          the bundle directory <stage dir>/bundles/<64 hex id> the upload put on the node
#                        (run.sh passes it, absolute). Copied into the state directory and verified there
#                        (SHA256SUMS, and the id is the sha256 of SHA256SUMS) before anything is used: what
#                        runs and what is installed is exactly what the component hashed. Required.
#   AKKO_ACTION          apply | remove (default apply)
#   AKKO_POLICY_HASH     apply: sha256 of the bundle's audit-policy.yaml followed by its 90-akko-audit.yaml, as
#                        the command carries it (the change preview reads it there); checked. Required for apply.
#   AKKO_NODE            name used in messages (default: hostname)
#   AKKO_ROOT, AKKO_PATH_PREFIX  test hooks (a temporary root, stub commands first on PATH)
#   AKKO_STATE_DIR       not an input: always /var/lib/akko-audit (under AKKO_ROOT), exported for converge.sh
#   stdin                apply: one line "<name> <base64 of the content>" per secret manifest named in
#                        AKKO_STDIN_MANIFESTS (they never travel in the bundle)
# From the bundle's settings.env: AKKO_MANIFESTS and AKKO_STDIN_MANIFESTS (space-separated manifest file
# names), AKKO_DETACH (auto | systemd-run | setsid | nohup; default auto: systemd-run when systemd runs,
# because logind may kill a closed session's processes even under setsid), AKKO_POLL_INTERVAL (seconds
# between result polls, default 1), AKKO_READY_TIMEOUT (180) and AKKO_EVENT_TIMEOUT (30) as converge.sh
# uses them, AKKO_RUN_TIMEOUT (seconds to wait for the result, default 2 x ready + event + 120), and
# converge.sh's other inputs, passed on to it unchanged.
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
ACTION="${AKKO_ACTION:-apply}"
R="${AKKO_ROOT:-}"
# Not from settings.env: the lock and the verified bundle copy live here before settings.env is trusted.
AKKO_STATE_DIR=/var/lib/akko-audit
export AKKO_STATE_DIR
STATE="$R$AKKO_STATE_DIR"
BUNDLE="${AKKO_BUNDLE:-}"
POLL=1
RUN_TIMEOUT=600

HOLDS_LOCK=false
release_lock() { if [ "$HOLDS_LOCK" = true ]; then rm -rf "$STATE/lock"; fi; }
fail() {
    printf 'akko-audit: node %s: %s\n' "$NODE" "$*" >&2
    release_lock
    exit 1
}

[ "$(id -u)" = 0 ] || fail "launch.sh must run as root (the component runs it through sudo -n)"
case "$ACTION" in apply | remove) ;; *) fail "AKKO_ACTION must be apply or remove, got '$ACTION'" ;; esac
case "$BUNDLE" in
    /*/bundles/*) ;;
    *) fail "AKKO_BUNDLE must be an absolute <stage dir>/bundles/<id> path, got '$BUNDLE'" ;;
esac
BUNDLE_ID="${BUNDLE##*/}"
case "$BUNDLE_ID" in *[!0-9a-f]*) fail "AKKO_BUNDLE must end in the bundle's sha256 id, got '$BUNDLE'" ;; esac
[ "${#BUNDLE_ID}" -eq 64 ] || fail "AKKO_BUNDLE must end in the bundle's sha256 id, got '$BUNDLE'"
STAGE="${BUNDLE%/bundles/*}"

quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# One lock over the whole run, staging included: $STATE/lock/owner holds "PID START BOOT" lines (start time
# from /proc/PID/stat, kernel boot id), so a PID reused by another process, or after a reboot, is not a
# live owner. The launcher takes it, converge.sh joins it (AKKO_LOCK_TOKEN) and releases it at the end.
# converge.sh reads the same format (keep the two in step). A stale lock's run left its backup: converge.sh
# recovers from it.
boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown; }
# Field 22 of /proc/PID/stat is the 19th after "comm) state" (comm may hold blanks and parentheses).
proc_start() { sed -n 's/.*) [^ ]* //p' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 19; }
owner_alive() { # PID START BOOT
    [ -n "${1:-}" ] && [ "${3:-}" = "$(boot_id)" ] && kill -0 "$1" 2>/dev/null && [ "$(proc_start "$1")" = "${2:-}" ]
}
# The lock's owner lines (after the first: the worker's) alive? A lock without owner is being created.
lock_alive() { # [FROM_LINE]
    if [ -f "$STATE/lock/owner" ]; then
        alive=1
        while read -r o_pid o_start o_boot; do
            owner_alive "$o_pid" "$o_start" "$o_boot" && alive=0
        done <<EOF
$(tail -n "+${1:-1}" "$STATE/lock/owner")
EOF
        return "$alive"
    fi
    o_pid="$(cat "$STATE/lock/pid" 2>/dev/null || true)"
    [ -n "$o_pid" ] && kill -0 "$o_pid" 2>/dev/null
}
take_lock() {
    deadline=$(($(date +%s) + RUN_TIMEOUT))
    ownerless_since=""
    until mkdir "$STATE/lock" 2>/dev/null; do
        if [ -f "$STATE/lock/owner" ] || [ -f "$STATE/lock/pid" ]; then
            ownerless_since=""
            if ! lock_alive; then
                rm -rf "$STATE/lock"
                continue
            fi
        elif [ -z "$ownerless_since" ]; then
            ownerless_since="$(date +%s)"
        elif [ "$(date +%s)" -gt $((ownerless_since + 5)) ]; then
            # Created and never owned (killed between mkdir and write): stale.
            rm -rf "$STATE/lock"
            continue
        fi
        [ "$(date +%s)" -lt "$deadline" ] || fail "another akko-audit run ($(head -n 1 "$STATE/lock/owner" 2>/dev/null | cut -d ' ' -f 1)) is still working on this node after ${RUN_TIMEOUT}s; state in $STATE"
        sleep "$POLL"
    done
    HOLDS_LOCK=true
    # token first, then owner by rename: a lock with an owner file is complete (never read half-written).
    printf '%s\n' "$RUN_ID" >"$STATE/lock/token"
    printf '%s %s %s\n' "$$" "$(proc_start "$$")" "$(boot_id)" >"$STATE/lock/owner.tmp"
    mv -f "$STATE/lock/owner.tmp" "$STATE/lock/owner"
}

(umask 077 && mkdir -p "$STATE") || fail "cannot create $STATE"
chmod 0700 "$STATE"
RUN_ID="$(date +%s)-$$"
take_lock

# The bundle, copied out of the login user's directory and verified in the root-only state directory: from
# here on only the verified copy is read. No space, or a bundle that does not hash to its id: nothing touched.
rm -rf "$STATE/bundle.new"
cp -R "$BUNDLE" "$STATE/bundle.new" 2>/dev/null || fail "cannot copy the bundle $BUNDLE into $STATE (missing, or no space left); nothing was changed"
[ -z "$(find "$STATE/bundle.new" -type l 2>/dev/null)" ] || fail "the bundle $BUNDLE holds symbolic links; nothing was changed"
(cd "$STATE/bundle.new" && sha256sum -c SHA256SUMS >/dev/null 2>&1) || fail "the bundle $BUNDLE is incomplete or altered (sha256sum -c SHA256SUMS fails); nothing was changed"
[ "$(sha256sum <"$STATE/bundle.new/SHA256SUMS" | cut -d ' ' -f 1)" = "$BUNDLE_ID" ] || fail "the bundle $BUNDLE does not hash to its name; nothing was changed"
rm -rf "$STATE/bundle"
mv "$STATE/bundle.new" "$STATE/bundle" || fail "cannot move the verified bundle into $STATE/bundle; nothing was changed"
# shellcheck source=/dev/null # generated per cluster, verified just above
. "$STATE/bundle/settings.env"
POLL="${AKKO_POLL_INTERVAL:-1}"
READY_TIMEOUT="${AKKO_READY_TIMEOUT:-180}"
EVENT_TIMEOUT="${AKKO_EVENT_TIMEOUT:-30}"
RUN_TIMEOUT="${AKKO_RUN_TIMEOUT:-$((2 * READY_TIMEOUT + EVENT_TIMEOUT + 120))}"

if [ "$ACTION" = apply ]; then
    rm -rf "$STATE/desired.new"
    (umask 077 && mkdir -p "$STATE/desired.new/manifests") || fail "cannot create $STATE/desired.new"
    for f in audit-policy.yaml 90-akko-audit.yaml; do
        cp "$STATE/bundle/$f" "$STATE/desired.new/$f" 2>/dev/null || fail "cannot copy $f into $STATE/desired.new (no space left?); nothing was changed"
    done
    got="$(cat "$STATE/desired.new/audit-policy.yaml" "$STATE/desired.new/90-akko-audit.yaml" | sha256sum | cut -d ' ' -f 1)"
    [ "$got" = "${AKKO_POLICY_HASH:-}" ] || fail "the bundle's policy and drop-in hash to $got, the command says '${AKKO_POLICY_HASH:-}'; nothing was changed"
    for m in ${AKKO_MANIFESTS:-}; do
        cp "$STATE/bundle/manifest-$m" "$STATE/desired.new/manifests/$m" 2>/dev/null || fail "cannot copy manifest $m into $STATE/desired.new (no space left?); nothing was changed"
    done
    if [ -n "${AKKO_STDIN_MANIFESTS:-}" ]; then
        # Secret manifests: "<name> <base64>" lines on stdin, each decoded straight into the root-only directory.
        while read -r s_name s_data; do
            case " $AKKO_STDIN_MANIFESTS " in *" $s_name "*) ;; *) fail "stdin names manifest '$s_name', which settings.env does not list; nothing was changed" ;; esac
            printf '%s' "$s_data" | base64 -d >"$STATE/desired.new/manifests/$s_name" 2>/dev/null ||
                fail "cannot decode secret manifest $s_name into $STATE/desired.new (bad base64, or no space left); nothing was changed"
        done
        for m in $AKKO_STDIN_MANIFESTS; do
            [ -f "$STATE/desired.new/manifests/$m" ] || fail "secret manifest $m did not arrive on stdin; nothing was changed"
        done
    fi
    rm -rf "$STATE/desired"
    mv "$STATE/desired.new" "$STATE/desired" || fail "cannot move $STATE/desired.new into place; nothing was changed"
fi

cp "$STATE/bundle/converge.sh" "$STATE/converge.sh" || fail "cannot copy converge.sh into $STATE (no space left?); nothing was changed"
{
    echo '#!/bin/sh'
    for v in AKKO_ROOT AKKO_PATH_PREFIX AKKO_NODE AKKO_SERVICE AKKO_POLICY_PATH AKKO_DROPIN_PATH \
        AKKO_AUDIT_LOG_PATH AKKO_MANIFESTS_DIR AKKO_STATE_DIR AKKO_READY_TIMEOUT AKKO_EVENT_TIMEOUT \
        AKKO_REQUEST_TIMEOUT AKKO_JOURNAL_LINES AKKO_POLL_INTERVAL AKKO_EXPECT_ARGS; do
        eval "set=\${$v+x} val=\${$v-}"
        # shellcheck disable=SC2154 # assigned by the eval above
        [ -n "$set" ] && printf 'export %s=%s\n' "$v" "$(quote "$val")"
    done
    printf 'export AKKO_ACTION=%s AKKO_RUN_ID=%s AKKO_LOCK_TOKEN=%s AKKO_EFFECTIVE_ARGS_FILE=%s\n' "$(quote "$ACTION")" "$(quote "$RUN_ID")" "$(quote "$RUN_ID")" "$(quote "$STATE/bundle/effective-args.sh")"
    printf 'exec /bin/sh %s >>%s 2>&1 </dev/null\n' "$(quote "$STATE/converge.sh")" "$(quote "$STATE/worker.log")"
} >"$STATE/job.sh"

detach="${AKKO_DETACH:-auto}"
started_at="$(date +%s)"
if [ "$detach" = auto ]; then
    if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then detach=systemd-run
    elif command -v setsid >/dev/null 2>&1; then detach=setsid
    else detach="nohup"; fi
fi
case "$detach" in
    systemd-run) systemd-run --quiet --collect --unit "akko-audit-$RUN_ID" /bin/sh "$STATE/job.sh" || fail "systemd-run failed" ;;
    setsid) setsid /bin/sh "$STATE/job.sh" </dev/null >/dev/null 2>&1 & ;;
    nohup) nohup /bin/sh "$STATE/job.sh" </dev/null >/dev/null 2>&1 & ;;
    *) fail "AKKO_DETACH must be auto, systemd-run, setsid or nohup, got '$detach'" ;;
esac
# From here the worker releases the lock; a launcher that fails or is killed leaves it to the worker.
HOLDS_LOCK=false
# Our own child (setsid/nohup): sleep until it ends instead of polling. If the SSH session drops, only
# this launcher dies; the worker, in its own session, goes on.
if [ "$detach" != systemd-run ]; then wait "$!" 2>/dev/null || true; fi

# The worker is gone without a result when the lock is no longer this run's, when its owner line (the
# second) is no longer alive, or when it never joined within 10s: say so now, not after the run timeout.
worker_gone() {
    [ "$(cat "$STATE/lock/token" 2>/dev/null)" = "$RUN_ID" ] || return 0
    if [ "$(wc -l <"$STATE/lock/owner" 2>/dev/null)" -ge 2 ]; then
        ! lock_alive 2
    else
        [ "$(date +%s)" -gt $((started_at + 10)) ]
    fi
}
has_result() { [ -f "$STATE/result.json" ] && grep -q "\"runId\":\"$RUN_ID\"" "$STATE/result.json"; }
deadline=$(($(date +%s) + RUN_TIMEOUT))
until has_result; do
    if worker_gone; then
        # A result may land between the two checks.
        has_result && break
        fail "run $RUN_ID ended without a result (killed, out of memory or the node rebooting); the next pulumi up restores its backup first. Last lines of $STATE/worker.log:
$(tail -n 3 "$STATE/worker.log" 2>/dev/null | cut -c 1-300)"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || fail "run $RUN_ID did not finish within ${RUN_TIMEOUT}s; it goes on detached on the node (log $STATE/worker.log); run pulumi up again to collect its result"
    sleep "$POLL"
done

cat "$STATE/result.json"
if grep -q '"status":"ok"' "$STATE/result.json"; then
    if [ "$ACTION" = remove ]; then
        # The node is as it was before: drop the state and what the uploads left in the stage directory
        # (bundles, and the staged files of 0.1.x), then the stage directory itself if nothing else is in it.
        rm -rf "$STATE" "$STAGE/bundles"
        rm -f "$STAGE/audit-policy.yaml" "$STAGE/90-akko-audit.yaml" "$STAGE"/manifest-*
        rmdir "$STAGE" 2>/dev/null || true
    else
        # Only the bundle in use stays: the delete command in Pulumi's state names it.
        for d in "$STAGE/bundles"/*; do [ "$d" = "$BUNDLE" ] || rm -rf "$d"; done
        rm -f "$STAGE/audit-policy.yaml" "$STAGE/90-akko-audit.yaml" "$STAGE"/manifest-*
    fi
    exit 0
fi
# One error that names the node and carries the run's message (with the journal tail).
printf 'akko-audit: node %s: %s\n' "$NODE" "$(cat "$STATE/result.txt" 2>/dev/null)" >&2
exit 1
