#!/bin/sh
# akko-audit k3s launcher: starts converge.sh DETACHED on the node and polls for its result, so that a
# dropped SSH connection or a killed `pulumi up` never leaves the node half-applied: the detached run goes
# on to the end (apply, restart, verify, or roll back), and the next run finds its result or its backup.
# Runs as root (the component calls it through `sudo -n`). Prints the run's result as one JSON line on
# stdout; on failure also prints the run's message on stderr and exits 1.
#
# Inputs (environment variables):
#   AKKO_ACTION          apply | remove (default apply)
#   AKKO_WORKER_SCRIPT   the text of converge.sh (by hand: AKKO_WORKER_SCRIPT="$(cat converge.sh)"). Required.
#   AKKO_STAGE_DIR       apply: where the SSH user uploaded audit-policy.yaml, 90-akko-audit.yaml and
#                        manifest-<name> files (relative to the login directory or absolute); remove: deleted
#   AKKO_POLICY_HASH     apply: sha256 of audit-policy.yaml followed by 90-akko-audit.yaml; the staged copies
#                        must match it (nothing else is installed). Required for apply.
#   AKKO_MANIFESTS       apply: space-separated manifest file names staged as manifest-<name> (default none)
#   AKKO_MANIFESTS_HASH  apply: sha256 over "<name>\n<content>" of each manifest in AKKO_MANIFESTS order
#   AKKO_STATE_DIR       root-only state directory (default /var/lib/akko-audit)
#   AKKO_DETACH          auto | systemd-run | setsid | nohup (default auto: systemd-run when systemd runs,
#                        because logind may kill a closed session's processes even under setsid)
#   AKKO_POLL_INTERVAL   seconds between result polls (default 1; fractions work with GNU/busybox sleep)
#   AKKO_READY_TIMEOUT   seconds converge.sh waits for /readyz (default 180); AKKO_EVENT_TIMEOUT likewise (30)
#   AKKO_RUN_TIMEOUT     seconds to wait for the result (default 2 x ready + event + 120)
#   AKKO_ROOT, AKKO_PATH_PREFIX, AKKO_NODE and converge.sh's other inputs are passed on to it unchanged.
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
ACTION="${AKKO_ACTION:-apply}"
R="${AKKO_ROOT:-}"
STATE="$R${AKKO_STATE_DIR:-/var/lib/akko-audit}"
POLL="${AKKO_POLL_INTERVAL:-1}"
READY_TIMEOUT="${AKKO_READY_TIMEOUT:-180}"
EVENT_TIMEOUT="${AKKO_EVENT_TIMEOUT:-30}"
RUN_TIMEOUT="${AKKO_RUN_TIMEOUT:-$((2 * READY_TIMEOUT + EVENT_TIMEOUT + 120))}"

fail() {
    printf 'akko-audit: node %s: %s\n' "$NODE" "$*" >&2
    release_lock
    exit 1
}

[ "$(id -u)" = 0 ] || fail "launch.sh must run as root (the component runs it through sudo -n)"
case "$ACTION" in apply | remove) ;; *) fail "AKKO_ACTION must be apply or remove, got '$ACTION'" ;; esac
[ -n "${AKKO_WORKER_SCRIPT:-}" ] || fail "AKKO_WORKER_SCRIPT is empty (it must hold the text of converge.sh)"

quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
sha() { sha256sum | cut -d ' ' -f 1; }

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
HOLDS_LOCK=false
release_lock() { if [ "$HOLDS_LOCK" = true ]; then rm -rf "$STATE/lock"; fi; }
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
if [ "$ACTION" = apply ]; then
    [ -n "${AKKO_STAGE_DIR:-}" ] || fail "AKKO_STAGE_DIR is required for apply"
    [ -n "${AKKO_POLICY_HASH:-}" ] || fail "AKKO_POLICY_HASH is required for apply"
fi
take_lock

if [ "$ACTION" = apply ]; then
    stage="$AKKO_STAGE_DIR"
    # Copy out of the user's stage directory first and verify the copies: what is installed is exactly what
    # the component hashed, whoever can write the stage directory.
    rm -rf "$STATE/desired.new"
    (umask 077 && mkdir -p "$STATE/desired.new/manifests") || fail "cannot create $STATE/desired.new"
    cp "$stage/audit-policy.yaml" "$STATE/desired.new/audit-policy.yaml" 2>/dev/null || fail "cannot copy the staged audit-policy.yaml from $stage into $STATE (missing, or no space left); nothing was changed"
    cp "$stage/90-akko-audit.yaml" "$STATE/desired.new/90-akko-audit.yaml" 2>/dev/null || fail "cannot copy the staged 90-akko-audit.yaml from $stage into $STATE (missing, or no space left); nothing was changed"
    got="$(cat "$STATE/desired.new/audit-policy.yaml" "$STATE/desired.new/90-akko-audit.yaml" | sha)"
    [ "$got" = "$AKKO_POLICY_HASH" ] || fail "staged policy and drop-in hash to $got, expected $AKKO_POLICY_HASH; nothing was changed"
    mhash="$(for m in ${AKKO_MANIFESTS:-}; do
        cp "$stage/manifest-$m" "$STATE/desired.new/manifests/$m" 2>/dev/null || exit 1
        printf '%s\n' "$m"
        cat "$STATE/desired.new/manifests/$m"
    done | sha)" || fail "cannot copy a staged manifest from $stage into $STATE (missing, or no space left); nothing was changed"
    if [ -n "${AKKO_MANIFESTS_HASH:-}" ] && [ "$mhash" != "$AKKO_MANIFESTS_HASH" ]; then
        fail "staged manifests hash to $mhash, expected $AKKO_MANIFESTS_HASH; nothing was changed"
    fi
    rm -rf "$STATE/desired"
    mv "$STATE/desired.new" "$STATE/desired"
fi

printf '%s\n' "$AKKO_WORKER_SCRIPT" >"$STATE/converge.sh"
{
    echo '#!/bin/sh'
    for v in AKKO_ROOT AKKO_PATH_PREFIX AKKO_NODE AKKO_SERVICE AKKO_POLICY_PATH AKKO_DROPIN_PATH \
        AKKO_AUDIT_LOG_PATH AKKO_MANIFESTS_DIR AKKO_STATE_DIR AKKO_READY_TIMEOUT AKKO_EVENT_TIMEOUT \
        AKKO_REQUEST_TIMEOUT AKKO_JOURNAL_LINES AKKO_POLL_INTERVAL; do
        eval "set=\${$v+x} val=\${$v-}"
        # shellcheck disable=SC2154 # assigned by the eval above
        [ -n "$set" ] && printf 'export %s=%s\n' "$v" "$(quote "$val")"
    done
    printf 'export AKKO_ACTION=%s AKKO_RUN_ID=%s AKKO_LOCK_TOKEN=%s\n' "$(quote "$ACTION")" "$(quote "$RUN_ID")" "$(quote "$RUN_ID")"
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
        # The node is as it was before: drop the state and the stage directory too.
        rm -rf "$STATE"
        if [ -n "${AKKO_STAGE_DIR:-}" ] && [ "$AKKO_STAGE_DIR" != / ]; then rm -rf "$AKKO_STAGE_DIR"; fi
    fi
    exit 0
fi
# One error that names the node and carries the run's message (with the journal tail).
printf 'akko-audit: node %s: %s\n' "$NODE" "$(cat "$STATE/result.txt" 2>/dev/null)" >&2
exit 1
