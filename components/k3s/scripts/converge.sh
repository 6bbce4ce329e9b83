#!/bin/sh
# akko-audit k3s converge: the one detached run that changes a k3s server node (launch.sh starts it).
#   apply:  back up the current policy, drop-in and manifests byte for byte; install the desired ones from
#           $AKKO_STATE_DIR/desired; restart k3s only if the policy or drop-in changed; wait for /readyz;
#           check that the audit log received a JSON event after the restart. On any failure: restore the
#           backup, restart, wait for ready, and fail quoting `journalctl -u k3s`.
#   remove: put back what the node had before the first apply (or delete what akko-audit added), restart
#           if that changed anything, wait for ready; on failure restore the akko-audit files and fail.
# A run that died half-way (node reboot, killed) leaves $STATE/phase and $STATE/backup: the next run first
# restores that backup and then converges, always restarting so the API server runs what is on disk.
# Every backup (backup/, original/) is written to a temporary file, synced, checked against the file's sha256
# and only then renamed into place with its KEY.sha256 next to it; a restore checks every copy first and
# touches nothing if one does not match. New files are written next to their targets and verified before
# the first rename, so a full disk leaves the node as it was.
# Writes $STATE/result.json (one JSON line) and $STATE/result.txt (the message) at the end.
#
# Inputs (environment variables; defaults are k3s's own paths):
#   AKKO_ACTION          apply | remove (default apply)
#   AKKO_RUN_ID          id echoed in result.json so the launcher knows it is this run's (default manual-<pid>)
#   AKKO_LOCK_TOKEN      the run id launch.sh wrote into the lock it holds for this run: the run joins that lock
#                        instead of taking its own (default empty: take $AKKO_STATE_DIR/lock)
#   AKKO_NODE            name used in messages (default: hostname)
#   AKKO_SERVICE         systemd unit of the k3s server (default k3s)
#   AKKO_POLICY_PATH     audit policy file, installed mode 0600 (default /etc/rancher/k3s/audit-policy.yaml)
#   AKKO_DROPIN_PATH     config drop-in (default /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml)
#   AKKO_AUDIT_LOG_PATH  audit log; its directory is created mode 0700 if missing, an existing one is left
#                        as it is (default /var/log/k3s-audit.log)
#   AKKO_MANIFESTS_DIR   k3s auto-deploy manifests (default /var/lib/rancher/k3s/server/manifests)
#   AKKO_STATE_DIR       root-only state: desired/, backup/, original/, result (default /var/lib/akko-audit)
#   AKKO_READY_TIMEOUT   seconds to wait for `k3s kubectl get --raw /readyz` after a restart (default 180)
#   AKKO_EVENT_TIMEOUT   seconds to wait for an audit event in the log once ready (default 30)
#   AKKO_REQUEST_TIMEOUT seconds one readiness request may take (default 10)
#   AKKO_JOURNAL_LINES   lines of `journalctl -u <service>` quoted in a failure, each cut to 300 characters
#                        (default 5: enough to see why, short enough for a Pulumi error)
#   AKKO_POLL_INTERVAL   seconds between readiness polls (default 1)
#   AKKO_EFFECTIVE_ARGS_FILE  effective-args.sh; after a restart it proves the running API server's
#                        arguments hold AKKO_EXPECT_ARGS (the drop-in's flags), else the run rolls back
#                        (default empty: not checked)
#   AKKO_EXPECT_ARGS     the drop-in's flags, one `name=value` a line (passed on to effective-args.sh)
#   AKKO_ROOT            prefix for every node path above (tests use a temporary root; default empty)
#   AKKO_PATH_PREFIX     directories put first on PATH (tests put stub systemctl/k3s/journalctl there)
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
ACTION="${AKKO_ACTION:-apply}"
RUN_ID="${AKKO_RUN_ID:-manual-$$}"
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
SERVICE="${AKKO_SERVICE:-k3s}"
R="${AKKO_ROOT:-}"
POLICY="$R${AKKO_POLICY_PATH:-/etc/rancher/k3s/audit-policy.yaml}"
DROPIN="$R${AKKO_DROPIN_PATH:-/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml}"
LOG="$R${AKKO_AUDIT_LOG_PATH:-/var/log/k3s-audit.log}"
MANIFESTS="$R${AKKO_MANIFESTS_DIR:-/var/lib/rancher/k3s/server/manifests}"
STATE="$R${AKKO_STATE_DIR:-/var/lib/akko-audit}"
READY_TIMEOUT="${AKKO_READY_TIMEOUT:-180}"
EVENT_TIMEOUT="${AKKO_EVENT_TIMEOUT:-30}"
REQUEST_TIMEOUT="${AKKO_REQUEST_TIMEOUT:-10}"
JOURNAL_LINES="${AKKO_JOURNAL_LINES:-5}"
POLL="${AKKO_POLL_INTERVAL:-1}"
DESIRED="$STATE/desired"
BACKUP="$STATE/backup"
ORIGINAL="$STATE/original"

umask 077
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# --- results -------------------------------------------------------------------------------------------
json_string() {
    # Backslash and quote in sed: awk implementations disagree on backslashes in gsub replacements.
    printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | awk '
        BEGIN { ORS = ""; printf "\"" }
        { gsub(/\t/, "\\t"); gsub(/\r/, ""); if (NR > 1) printf "\\n"; printf "%s", $0 }
        END { printf "\"" }'
}

k3s_version() { k3s --version 2>/dev/null | head -n 1 | sed -n 's/.*\(v[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*[^ ]*\).*/\1/p'; }
sha_of() { sha256sum <"$1" | cut -d ' ' -f 1; }

policy_hash() {
    if [ -f "$POLICY" ] && [ -f "$DROPIN" ]; then cat "$POLICY" "$DROPIN" | sha256sum | cut -d ' ' -f 1; else echo ""; fi
}

# finish STATUS RESTARTED READY MESSAGE: writes the result atomically, releases the lock, exits.
finish() {
    printf '%s\n' "$4" >"$STATE/result.txt.tmp"
    printf '{"runId":"%s","action":"%s","status":"%s","node":%s,"policyHash":"%s","restarted":%s,"apiServerReady":%s,"k3sVersion":%s,"message":%s}\n' \
        "$RUN_ID" "$ACTION" "$1" "$(json_string "$NODE")" "$(policy_hash)" "$2" "$3" "$(json_string "$(k3s_version)")" "$(json_string "$4")" >"$STATE/result.json.tmp"
    mv "$STATE/result.txt.tmp" "$STATE/result.txt"
    mv "$STATE/result.json.tmp" "$STATE/result.json"
    log "$ACTION $1: $4"
    release_lock
    [ "$1" = ok ] && exit 0
    exit 1
}

# --- lock ----------------------------------------------------------------------------------------------
# $STATE/lock/owner holds one line per process of this run, "PID START BOOT": START is the process's start
# time (/proc/PID/stat field 22) and BOOT the kernel's boot id, so a PID reused by another process, or after
# a reboot, never counts as a live owner. launch.sh writes the same format (keep the two in step).
boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown; }
# Field 22 of /proc/PID/stat is the 19th after "comm) state" (comm may hold blanks and parentheses).
proc_start() { sed -n 's/.*) [^ ]* //p' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 19; }
owner_line() { printf '%s %s %s\n' "$1" "$(proc_start "$1")" "$(boot_id)"; }
owner_alive() { # PID START BOOT
    [ -n "${1:-}" ] && [ "${3:-}" = "$(boot_id)" ] && kill -0 "$1" 2>/dev/null && [ "$(proc_start "$1")" = "${2:-}" ]
}
lock_alive() {
    if [ -f "$STATE/lock/owner" ]; then
        while read -r o_pid o_start o_boot; do
            owner_alive "$o_pid" "$o_start" "$o_boot" && return 0
        done <"$STATE/lock/owner"
        return 1
    fi
    # A lock from an older version (lock/pid) or one being created this instant.
    o_pid="$(cat "$STATE/lock/pid" 2>/dev/null || true)"
    [ -n "$o_pid" ] && kill -0 "$o_pid" 2>/dev/null
}
HOLDS_LOCK=false
take_lock() {
    if [ -n "${AKKO_LOCK_TOKEN:-}" ] && [ "$(cat "$STATE/lock/token" 2>/dev/null)" = "$AKKO_LOCK_TOKEN" ]; then
        owner_line "$$" >>"$STATE/lock/owner" || return 1
        HOLDS_LOCK=true
        return 0
    fi
    if ! mkdir "$STATE/lock" 2>/dev/null; then
        if lock_alive; then
            log "another run holds $STATE/lock ($(tr '\n' ';' <"$STATE/lock/owner" 2>/dev/null))"
            return 1
        fi
        rm -rf "$STATE/lock"
        mkdir "$STATE/lock" || return 1
    fi
    owner_line "$$" >"$STATE/lock/owner.tmp" && mv -f "$STATE/lock/owner.tmp" "$STATE/lock/owner"
    HOLDS_LOCK=true
}
release_lock() { if [ "$HOLDS_LOCK" = true ]; then rm -rf "$STATE/lock"; fi; }

# --- the files this program manages, by key ------------------------------------------------------------
path_of() {
    case "$1" in
        policy) printf '%s' "$POLICY" ;;
        dropin) printf '%s' "$DROPIN" ;;
        manifest-*) printf '%s/%s' "$MANIFESTS" "${1#manifest-}" ;;
    esac
}

desired_of() {
    case "$1" in
        policy) printf '%s' "$DESIRED/audit-policy.yaml" ;;
        dropin) printf '%s' "$DESIRED/90-akko-audit.yaml" ;;
        manifest-*) printf '%s/manifests/%s' "$DESIRED" "${1#manifest-}" ;;
    esac
}

installed_manifest_keys() {
    if [ -f "$STATE/installed-manifests" ]; then sed 's/^/manifest-/' "$STATE/installed-manifests"; fi
}

desired_manifest_keys() {
    if [ -d "$DESIRED/manifests" ]; then
        for f in "$DESIRED/manifests"/*; do [ -f "$f" ] && printf 'manifest-%s\n' "${f##*/}"; done
    fi
    return 0
}

# The last error of a failed step, one line (quoted in messages).
ERR=""
# Durable, verified copy: SOURCE to TARGET.akko-tmp, fsync (GNU sync takes files; others sync everything),
# compare hashes, then rename. Nothing is left behind on failure.
write_verified() { # SOURCE TARGET [MODE]
    tmp="$2.akko-tmp"
    if ! ERR="$({ cp "$1" "$tmp" && { [ -z "${3:-}" ] || chmod "$3" "$tmp"; } && { sync "$tmp" 2>/dev/null || sync; }; } 2>&1)" ||
        [ "$(sha_of "$tmp" 2>/dev/null)" != "$(sha_of "$1")" ]; then
        rm -f "$tmp"
        ERR="$(printf '%s' "${ERR:-the copy does not match the original}" | head -n 1)"
        return 1
    fi
}

# A backup is KEY (bytes) + KEY.sha256, or KEY.absent where there was no file. KEY.sha256 is renamed into
# place before KEY, so an existing KEY always has its hash; a copy whose hash does not match is never put
# back (restore refuses it), nor silently replaced (original/ may hold the only copy of the node's file).
backup_ok() { # DIR KEY
    [ -f "$1/$2.absent" ] && return 0
    [ -f "$1/$2" ] && [ -f "$1/$2.sha256" ] && [ "$(sha_of "$1/$2")" = "$(cat "$1/$2.sha256")" ]
}

save_files() { # DIR KEYS...
    dir="$1"
    shift
    for key in "$@"; do
        { [ -e "$dir/$key" ] || [ -e "$dir/$key.absent" ]; } && continue
        p="$(path_of "$key")"
        rm -f "$dir/$key.sha256"
        if [ -f "$p" ]; then
            if ! write_verified "$p" "$dir/$key" || ! ERR="$( (sha_of "$p" >"$dir/$key.sha256.akko-tmp" && mv -f "$dir/$key.sha256.akko-tmp" "$dir/$key.sha256" && mv -f "$dir/$key.akko-tmp" "$dir/$key") 2>&1)"; then
                ERR="cannot copy $p into $dir: ${ERR:-write failed}"
                rm -f "$dir/$key.akko-tmp" "$dir/$key.sha256.akko-tmp" "$dir/$key.sha256"
                return 1
            fi
        elif ! ERR="$(: 2>&1 >"$dir/$key.absent")"; then
            ERR="cannot write $dir/$key.absent: $ERR"
            return 1
        fi
    done
}

backup_keys() { for f in "$1"/*; do [ -e "$f" ] && printf '%s\n' "${f##*/}"; done | sed -n '/\.sha256$/d; /\.akko-tmp$/d; s/\.absent$//; p' | sort -u; }

# Checks every copy in DIR first and touches nothing unless all match; then writes each back (verified
# temporary files first, then the renames).
restore_files() { # DIR
    for key in $(backup_keys "$1"); do
        backup_ok "$1" "$key" || { ERR="the saved copy $1/$key does not match its sha256 (truncated or edited); nothing was restored from it"; return 1; }
    done
    for key in $(backup_keys "$1"); do
        [ -f "$1/$key.absent" ] && continue
        p="$(path_of "$key")"
        if [ ! -f "$p" ] || ! cmp -s "$1/$key" "$p"; then
            { mkdir -p "$(dirname "$p")" && write_verified "$1/$key" "$p"; } || { ERR="cannot write $p: $ERR"; restore_abort "$1"; return 1; }
        fi
    done
    for key in $(backup_keys "$1"); do
        p="$(path_of "$key")"
        if [ -f "$1/$key.absent" ]; then
            ERR="$(rm -f "$p" 2>&1)" || return 1
        elif [ -f "$p.akko-tmp" ]; then
            ERR="$(mv -f "$p.akko-tmp" "$p" 2>&1)" || return 1
        fi
    done
}
restore_abort() { for key in $(backup_keys "$1"); do rm -f "$(path_of "$key").akko-tmp"; done; }

same() { [ -f "$1" ] && [ -f "$2" ] && cmp -s "$1" "$2"; }

# 0600 on every file this program installs, every run: a mode changed by hand is put back (no restart).
MODES_FIXED=""
enforce_mode() { # FILE
    [ -f "$1" ] || return 0
    # shellcheck disable=SC2012 # ls -n is portable to busybox (stat -c is GNU-only)
    case "$(ls -ln "$1" | cut -c 1-10)" in
        -rw-------) ;;
        *) chmod 0600 "$1" && MODES_FIXED="$MODES_FIXED $1" ;;
    esac
}

# --- the service ---------------------------------------------------------------------------------------
with_timeout() { # SECONDS CMD...
    t="$1"
    shift
    if command -v timeout >/dev/null 2>&1; then timeout "$t" "$@"; else "$@"; fi
}

restart_service() {
    log "restarting $SERVICE"
    # --no-block: k3s's unit has TimeoutStartSec=0, a hanging start would block forever; readiness is polled.
    ERR="$(systemctl restart --no-block "$SERVICE" 2>&1)" && return 0
    ERR="systemctl restart $SERVICE failed: $(printf '%s' "$ERR" | head -n 1 | cut -c 1-300)"
    return 1
}

ready_once() { [ "$(with_timeout "$REQUEST_TIMEOUT" k3s kubectl get --raw /readyz --request-timeout="${REQUEST_TIMEOUT}s" 2>/dev/null)" = ok ]; }

wait_ready() { # TIMEOUT
    deadline=$(($(date +%s) + $1))
    while :; do
        ready_once && return 0
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep "$POLL"
    done
}

ready_now() { if ready_once; then echo true; else echo false; fi; }

journal_tail() { journalctl -u "$SERVICE" -n "$JOURNAL_LINES" --no-pager 2>&1 | tail -n "$JOURNAL_LINES" | cut -c 1-300; }
journal_msg() { printf 'journalctl -u %s (last %s lines):\n%s' "$SERVICE" "$JOURNAL_LINES" "$(journal_tail)"; }

log_size() { if [ -f "$LOG" ]; then wc -c <"$LOG" | tr -d ' '; else echo 0; fi; }

# A request only the restarted API server can have answered (its URI carries this run's id, and it is sent
# once /readyz is ok) must show up as a JSON audit event: events the old server wrote while stopping do not count.
PROBE="akko-audit-probe=$RUN_ID"
wait_audit_event() { # SIZE_BEFORE_RESTART
    deadline=$(($(date +%s) + EVENT_TIMEOUT))
    while :; do
        with_timeout "$REQUEST_TIMEOUT" k3s kubectl get --raw "/api/v1/namespaces/kube-system?$PROBE" --request-timeout="${REQUEST_TIMEOUT}s" >/dev/null 2>&1
        if [ -f "$LOG" ]; then
            size="$(log_size)"
            # A smaller file was rotated: read it whole.
            from=$(($1 + 1))
            [ "$size" -lt "$1" ] && from=1
            if tail -c "+$from" "$LOG" | grep -F "$PROBE" | grep '"apiVersion":"audit.k8s.io/v1"' | grep -q '"kind":"Event"'; then return 0; fi
        fi
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep "$POLL"
    done
}

# --- lock and recovery ---------------------------------------------------------------------------------
mkdir -p "$STATE" || exit 1
take_lock || exit 1

force_restart=false
if [ -f "$STATE/phase" ]; then
    phase="$(cat "$STATE/phase")"
    log "previous run stopped in phase '$phase': restoring its backup first"
    restore_files "$BACKUP" || finish failed false "$(ready_now)" "a previous run was interrupted and its backup cannot be put back ($ERR); nothing was changed by this run; the backup is in $BACKUP"
    [ "$phase" != started ] && force_restart=true
fi

# --- apply ---------------------------------------------------------------------------------------------
# rollback REASON RESTARTED: puts the backup back; restarts only if k3s was restarted with the new files.
# The message says what was done and what is true now, never more.
rollback() {
    echo rolling-back >"$STATE/phase"
    log "rolling back: $1"
    if ! restore_files "$BACKUP"; then
        # The phase stays: the next run tries the restore again before anything else.
        finish failed "$2" "$(ready_now)" "$1; the previous files could NOT be put back ($ERR); the backup is in $BACKUP and the next run restores it first; look at the node now. $(journal_msg)"
    fi
    if [ "$2" = false ] && [ "$force_restart" = false ]; then
        rm -f "$STATE/phase"
        if [ "$(ready_now)" = true ]; then
            finish failed false true "$1; the previous files are back and $SERVICE was not restarted (it still runs the previous configuration); the API server is ready"
        fi
        finish failed false false "$1; the previous files are back and $SERVICE was not restarted, but the API server is not ready (not caused by this run). $(journal_msg)"
    fi
    if ! restart_service; then
        rm -f "$STATE/phase"
        finish failed "$2" "$(ready_now)" "$1; the previous files are back but $ERR; look at the node now. $(journal_msg)"
    fi
    rm -f "$STATE/phase"
    if wait_ready "$READY_TIMEOUT"; then
        finish failed true true "$1; rolled back to the previous files and restarted $SERVICE; the API server is ready again. $(journal_msg)"
    fi
    finish failed true false "$1; ROLLBACK DID NOT BRING THE API SERVER BACK: the previous files are back and $SERVICE was restarted, but /readyz is not ok after ${READY_TIMEOUT}s; look at the node now. $(journal_msg)"
}

# install_all KEYS...: every changed file written next to its target and verified first, then renamed; a
# failure before the renames leaves every target untouched.
install_all() {
    todo=""
    for key in "$@"; do
        want="$(desired_of "$key")"
        [ -f "$want" ] || continue
        p="$(path_of "$key")"
        same "$want" "$p" && continue
        if ! { mkdir -p "$(dirname "$p")" && write_verified "$want" "$p" 0600; }; then
            ERR="cannot write $p (${ERR:-mkdir failed})"
            for k in $todo; do rm -f "$(path_of "$k").akko-tmp"; done
            return 1
        fi
        todo="$todo $key"
    done
    echo files-written >"$STATE/phase"
    for key in $todo; do
        p="$(path_of "$key")"
        ERR="$(mv -f "$p.akko-tmp" "$p" 2>&1)" || return 2
    done
    return 0
}

if [ "$ACTION" = apply ]; then
    if [ ! -f "$DESIRED/audit-policy.yaml" ] || [ ! -f "$DESIRED/90-akko-audit.yaml" ]; then
        finish failed false false "no desired files in $DESIRED (launch.sh stages them)"
    fi
    # Readiness first: a k3s that is already broken is not restarted, and audit is not blamed for it.
    if [ "$force_restart" = false ] && ! wait_ready "$READY_TIMEOUT"; then
        finish failed false false "the API server is not ready before any change (not caused by akko-audit); nothing was changed and $SERVICE was not restarted; stopping the rollout. $(journal_msg)"
    fi
    keys="policy dropin $(desired_manifest_keys | tr '\n' ' ') $(installed_manifest_keys | tr '\n' ' ')"
    keys="$(printf '%s\n' "$keys" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')"

    rm -rf "$BACKUP"
    mkdir -p "$BACKUP" "$ORIGINAL" || finish failed false true "cannot create $BACKUP; nothing was changed"
    # shellcheck disable=SC2086 # keys are file names without blanks
    save_files "$BACKUP" $keys || { rm -rf "$BACKUP"; finish failed false true "cannot back up the current files ($ERR); nothing was changed and $SERVICE was not restarted"; }
    # What the node had before akko-audit first touched each file: what remove puts back.
    # shellcheck disable=SC2086
    save_files "$ORIGINAL" $keys || { rm -rf "$BACKUP"; finish failed false true "cannot record the original files ($ERR); nothing was changed and $SERVICE was not restarted"; }
    echo started >"$STATE/phase"

    changed=false
    same "$DESIRED/audit-policy.yaml" "$POLICY" || changed=true
    same "$DESIRED/90-akko-audit.yaml" "$DROPIN" || changed=true
    log_dir="$(dirname "$LOG")"
    if [ ! -d "$log_dir" ]; then
        { mkdir -p "$log_dir" && chmod 0700 "$log_dir"; } || { rm -f "$STATE/phase"; finish failed false true "cannot create the audit log directory $log_dir; nothing was changed"; }
    fi

    # shellcheck disable=SC2086
    install_all $keys
    case $? in
        1) rm -f "$STATE/phase"; finish failed false true "$ERR; nothing was changed and $SERVICE was not restarted" ;;
        2) rollback "could not rename a new file into place ($ERR)" false ;;
    esac
    # Manifests take effect without a restart (k3s's deploy controller watches the directory).
    for key in $keys; do
        case "$key" in manifest-*) [ -f "$(desired_of "$key")" ] || rm -f "$(path_of "$key")" ;; esac
    done
    desired_manifest_keys | sed 's/^manifest-//' >"$STATE/installed-manifests"
    for key in $keys; do enforce_mode "$(path_of "$key")"; done
    sha_of "$DROPIN" >"$STATE/installed-dropin.sha256"

    restarted=false
    if [ "$changed" = true ] || [ "$force_restart" = true ]; then
        before="$(log_size)"
        echo restarted >"$STATE/phase"
        restart_service || rollback "$ERR" false
        restarted=true
        wait_ready "$READY_TIMEOUT" || rollback "the API server was not ready within ${READY_TIMEOUT}s after restarting $SERVICE with the audit configuration" true
        # The running server's own arguments (its process, or the unit it started from) must hold our flags:
        # a config changed between preflight and restart must not leave audit silently off.
        if [ -n "${AKKO_EFFECTIVE_ARGS_FILE:-}" ]; then
            if ! running="$(AKKO_ARGS_SOURCE=process AKKO_EXPECT_ARGS="${AKKO_EXPECT_ARGS:-}" /bin/sh "$AKKO_EFFECTIVE_ARGS_FILE" 2>&1 >/dev/null)"; then
                rollback "after the restart the running API server does not use the audit flags: ${running#akko-audit: node * }" true
            fi
        fi
        wait_audit_event "$before" || rollback "the API server is ready but $LOG received no JSON audit event for this run's probe request within ${EVENT_TIMEOUT}s" true
        msg="applied; $SERVICE restarted, API server ready and running with the audit flags, audit events in $LOG"
    else
        msg="already up to date; no restart"
    fi
    [ -n "$MODES_FIXED" ] && msg="$msg; mode 0600 put back on$MODES_FIXED"
    rm -f "$STATE/phase"
    finish ok "$restarted" true "$msg"
fi

# --- remove --------------------------------------------------------------------------------------------
keys="policy dropin $(installed_manifest_keys | tr '\n' ' ')"
rm -rf "$BACKUP"
mkdir -p "$BACKUP" || finish failed false "$(ready_now)" "cannot create $BACKUP; nothing was changed"
# shellcheck disable=SC2086
save_files "$BACKUP" $keys || { rm -rf "$BACKUP"; finish failed false "$(ready_now)" "cannot back up the current files ($ERR); nothing was changed"; }
# Every original copy is checked before anything is touched: a truncated one is never put back.
for key in $keys; do
    if { [ -e "$ORIGINAL/$key" ] || [ -e "$ORIGINAL/$key.sha256" ]; } && ! backup_ok "$ORIGINAL" "$key"; then
        finish failed false "$(ready_now)" "the saved original $ORIGINAL/$key of $(path_of "$key") does not match its sha256 (truncated or edited); nothing was changed. Check that file and copy it to $(path_of "$key") by hand, or delete $ORIGINAL/$key and $ORIGINAL/$key.sha256 to have the current file removed, then run again"
    fi
done
# A drop-in edited by hand since akko-audit installed it is copied aside, next to config.yaml.d rather than
# in it: k3s reads config.yaml there, never other files.
kept=""
if [ -f "$DROPIN" ] && [ ! -f "$ORIGINAL/dropin" ]; then
    installed="$(cat "$STATE/installed-dropin.sha256" 2>/dev/null || sha_of "$DESIRED/90-akko-audit.yaml" 2>/dev/null)"
    if [ "$(sha_of "$DROPIN")" != "$installed" ]; then
        kept="$(dirname "$(dirname "$DROPIN")")/${DROPIN##*/}.edited-$(date -u +%Y%m%dT%H%M%SZ)"
        cp -p "$DROPIN" "$kept" || finish failed false "$(ready_now)" "cannot keep the hand-edited $DROPIN as $kept; nothing was changed"
    fi
fi
echo files-written >"$STATE/phase"
changed=false
for key in $keys; do
    p="$(path_of "$key")"
    if [ -f "$ORIGINAL/$key" ]; then
        same "$ORIGINAL/$key" "$p" && continue
        { mkdir -p "$(dirname "$p")" && write_verified "$ORIGINAL/$key" "$p" && mv -f "$p.akko-tmp" "$p"; } || rollback "could not restore $p ($ERR)" false
    elif [ -e "$p" ]; then
        # No record of the original: only a policy identical to what akko-audit installed is removed.
        if [ "$key" = policy ] && [ ! -f "$ORIGINAL/policy.absent" ] && ! same "$DESIRED/audit-policy.yaml" "$p"; then continue; fi
        rm -f "$p"
    else
        continue
    fi
    case "$key" in policy | dropin) changed=true ;; esac
done
restarted=false
if [ "$changed" = true ] || [ "$force_restart" = true ]; then
    echo restarted >"$STATE/phase"
    restart_service || rollback "$ERR" false
    restarted=true
    wait_ready "$READY_TIMEOUT" || rollback "the API server was not ready within ${READY_TIMEOUT}s after removing the audit configuration" true
fi
rm -f "$STATE/phase"
msg="removed; the node's own files are back$([ "$restarted" = true ] && echo ", $SERVICE restarted, API server ready")"
[ -n "$kept" ] && msg="$msg; the drop-in had been edited by hand: kept as $kept (k3s does not read it there)"
finish ok "$restarted" true "$msg"
