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
# Writes $STATE/result.json (one JSON line) and $STATE/result.txt (the message) at the end.
#
# Inputs (environment variables; defaults are k3s's own paths):
#   AKKO_ACTION          apply | remove (default apply)
#   AKKO_RUN_ID          id echoed in result.json so the launcher knows it is this run's (default manual-<pid>)
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
#   AKKO_JOURNAL_LINES   lines of `journalctl -u <service>` quoted in a failure (default 20)
#   AKKO_POLL_INTERVAL   seconds between readiness polls (default 1)
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
JOURNAL_LINES="${AKKO_JOURNAL_LINES:-20}"
POLL="${AKKO_POLL_INTERVAL:-1}"
DESIRED="$STATE/desired"
BACKUP="$STATE/backup"
ORIGINAL="$STATE/original"

umask 077
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# --- results -------------------------------------------------------------------------------------------
json_string() {
    printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' | awk '
        BEGIN { ORS = ""; printf "\"" }
        { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, ""); if (NR > 1) printf "\\n"; printf "%s", $0 }
        END { printf "\"" }'
}

k3s_version() { k3s --version 2>/dev/null | head -n 1 | sed -n 's/.*\(v[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*[^ ]*\).*/\1/p'; }

policy_hash() {
    if [ -f "$POLICY" ] && [ -f "$DROPIN" ]; then cat "$POLICY" "$DROPIN" | sha256sum | cut -d ' ' -f 1; else echo ""; fi
}

# finish STATUS RESTARTED READY MESSAGE: writes the result atomically, releases the lock, exits.
finish() {
    printf '%s\n' "$4" >"$STATE/result.txt.tmp"
    printf '{"runId":"%s","action":"%s","status":"%s","node":%s,"policyHash":"%s","restarted":%s,"apiServerReady":%s,"k3sVersion":"%s","message":%s}\n' \
        "$RUN_ID" "$ACTION" "$1" "$(json_string "$NODE")" "$(policy_hash)" "$2" "$3" "$(k3s_version)" "$(json_string "$4")" >"$STATE/result.json.tmp"
    mv "$STATE/result.txt.tmp" "$STATE/result.txt"
    mv "$STATE/result.json.tmp" "$STATE/result.json"
    log "$ACTION $1: $4"
    rm -rf "$STATE/lock"
    [ "$1" = ok ] && exit 0
    exit 1
}

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

# Atomic install: a temporary file next to the target, then rename.
install_file() { # SOURCE TARGET MODE
    mkdir -p "$(dirname "$2")" || return 1
    cp "$1" "$2.akko-tmp" && chmod "$3" "$2.akko-tmp" && mv -f "$2.akko-tmp" "$2"
}

# Byte-for-byte copy of the current files into DIR (a marker KEY.absent where there was none).
save_files() { # DIR KEYS...
    dir="$1"
    shift
    for key in "$@"; do
        [ -e "$dir/$key" ] || [ -e "$dir/$key.absent" ] && continue
        p="$(path_of "$key")"
        if [ -f "$p" ]; then cp -p "$p" "$dir/$key" || return 1; else : >"$dir/$key.absent"; fi
    done
}

restore_files() { # DIR
    ok=0
    for f in "$1"/*; do
        [ -e "$f" ] || continue
        key="${f##*/}"
        case "$key" in
            *.absent) rm -f "$(path_of "${key%.absent}")" || ok=1 ;;
            *) p="$(path_of "$key")"
               mkdir -p "$(dirname "$p")" && cp -p "$f" "$p.akko-tmp" && mv -f "$p.akko-tmp" "$p" || ok=1 ;;
        esac
    done
    return "$ok"
}

same() { [ -f "$1" ] && [ -f "$2" ] && cmp -s "$1" "$2"; }

# --- the service ---------------------------------------------------------------------------------------
with_timeout() { # SECONDS CMD...
    t="$1"
    shift
    if command -v timeout >/dev/null 2>&1; then timeout "$t" "$@"; else "$@"; fi
}

restart_service() {
    log "restarting $SERVICE"
    # --no-block: k3s's unit has TimeoutStartSec=0, a hanging start would block forever; readiness is polled.
    systemctl restart --no-block "$SERVICE"
}

wait_ready() { # TIMEOUT
    deadline=$(($(date +%s) + $1))
    while :; do
        if [ "$(with_timeout "$REQUEST_TIMEOUT" k3s kubectl get --raw /readyz --request-timeout="${REQUEST_TIMEOUT}s" 2>/dev/null)" = ok ]; then
            return 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep "$POLL"
    done
}

journal_tail() { journalctl -u "$SERVICE" -n "$JOURNAL_LINES" --no-pager 2>&1 | tail -n "$JOURNAL_LINES"; }

log_size() { if [ -f "$LOG" ]; then wc -c <"$LOG" | tr -d ' '; else echo 0; fi; }

# An audited request after the restart must show up as a JSON audit event in the log.
wait_audit_event() { # SIZE_BEFORE_RESTART
    deadline=$(($(date +%s) + EVENT_TIMEOUT))
    while :; do
        with_timeout "$REQUEST_TIMEOUT" k3s kubectl get --raw /api/v1/namespaces/kube-system --request-timeout="${REQUEST_TIMEOUT}s" >/dev/null 2>&1
        if [ -f "$LOG" ]; then
            size="$(log_size)"
            # A smaller file was rotated: read it whole.
            from=$(($1 + 1))
            [ "$size" -lt "$1" ] && from=1
            if tail -c "+$from" "$LOG" | grep '"apiVersion":"audit.k8s.io/v1"' | grep -q '"kind":"Event"'; then return 0; fi
        fi
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep "$POLL"
    done
}

# --- lock and recovery ---------------------------------------------------------------------------------
mkdir -p "$STATE" || exit 1
if ! mkdir "$STATE/lock" 2>/dev/null; then
    pid="$(cat "$STATE/lock/pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "another run (pid $pid) holds the lock"
        exit 1
    fi
    rm -rf "$STATE/lock"
    mkdir "$STATE/lock" || exit 1
fi
echo "$$" >"$STATE/lock/pid"

force_restart=false
if [ -f "$STATE/phase" ]; then
    phase="$(cat "$STATE/phase")"
    log "previous run stopped in phase '$phase': restoring its backup first"
    restore_files "$BACKUP" || finish failed false false "could not restore the backup a previous interrupted run left in $BACKUP"
    [ "$phase" != started ] && force_restart=true
fi

# --- apply ---------------------------------------------------------------------------------------------
rollback() { # REASON
    echo rolling-back >"$STATE/phase"
    log "rolling back: $1"
    restore_files "$BACKUP"
    restore_rc=$?
    restart_service
    if [ "$restore_rc" = 0 ] && wait_ready "$READY_TIMEOUT"; then
        after="rolled back to the previous files and restarted; the API server is ready again"
        ready=true
    else
        after="ROLLBACK DID NOT BRING THE API SERVER BACK: the previous files are restored but /readyz is not ok; look at the node now"
        ready=false
    fi
    rm -f "$STATE/phase"
    finish failed true "$ready" "$1; $after. journalctl -u $SERVICE (last $JOURNAL_LINES lines):
$(journal_tail)"
}

if [ "$ACTION" = apply ]; then
    if [ ! -f "$DESIRED/audit-policy.yaml" ] || [ ! -f "$DESIRED/90-akko-audit.yaml" ]; then
        finish failed false false "no desired files in $DESIRED (launch.sh stages them)"
    fi
    keys="policy dropin $(desired_manifest_keys | tr '\n' ' ') $(installed_manifest_keys | tr '\n' ' ')"
    keys="$(printf '%s\n' "$keys" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')"

    rm -rf "$BACKUP"
    mkdir -p "$BACKUP" "$ORIGINAL" || finish failed false false "cannot create $BACKUP"
    # shellcheck disable=SC2086 # keys are file names without blanks
    save_files "$BACKUP" $keys || finish failed false false "cannot back up the current files into $BACKUP"
    # What the node had before akko-audit first touched each file: what remove puts back.
    # shellcheck disable=SC2086
    save_files "$ORIGINAL" $keys || finish failed false false "cannot record the original files into $ORIGINAL"
    echo started >"$STATE/phase"

    changed=false
    same "$DESIRED/audit-policy.yaml" "$POLICY" || changed=true
    same "$DESIRED/90-akko-audit.yaml" "$DROPIN" || changed=true
    log_dir="$(dirname "$LOG")"
    if [ ! -d "$log_dir" ]; then
        { mkdir -p "$log_dir" && chmod 0700 "$log_dir"; } || finish failed false false "cannot create the audit log directory $log_dir"
    fi

    echo files-written >"$STATE/phase"
    same "$DESIRED/audit-policy.yaml" "$POLICY" || install_file "$DESIRED/audit-policy.yaml" "$POLICY" 0600 || rollback "could not write $POLICY"
    same "$DESIRED/90-akko-audit.yaml" "$DROPIN" || install_file "$DESIRED/90-akko-audit.yaml" "$DROPIN" 0600 || rollback "could not write $DROPIN"
    # Manifests take effect without a restart (k3s's deploy controller watches the directory).
    for key in $keys; do
        case "$key" in manifest-*) ;; *) continue ;; esac
        want="$(desired_of "$key")"
        if [ -f "$want" ]; then
            same "$want" "$(path_of "$key")" || install_file "$want" "$(path_of "$key")" 0600 || rollback "could not write $(path_of "$key")"
        else
            rm -f "$(path_of "$key")"
        fi
    done
    desired_manifest_keys | sed 's/^manifest-//' >"$STATE/installed-manifests"

    restarted=false
    if [ "$changed" = true ] || [ "$force_restart" = true ]; then
        before="$(log_size)"
        echo restarted >"$STATE/phase"
        restart_service || rollback "systemctl restart $SERVICE failed"
        restarted=true
        wait_ready "$READY_TIMEOUT" || rollback "the API server was not ready within ${READY_TIMEOUT}s after restarting $SERVICE with the audit configuration"
        wait_audit_event "$before" || rollback "the API server is ready but $LOG received no JSON audit event within ${EVENT_TIMEOUT}s"
        msg="applied; $SERVICE restarted, API server ready, audit events in $LOG"
    else
        # Nothing changed: never restart; a node that is down anyway stops the rollout here.
        wait_ready "$READY_TIMEOUT" || { rm -f "$STATE/phase"; finish failed false false "nothing to change, but the API server is not ready (not caused by this run); stopping the rollout. journalctl -u $SERVICE (last $JOURNAL_LINES lines):
$(journal_tail)"; }
        msg="already up to date; no restart"
    fi
    rm -f "$STATE/phase"
    finish ok "$restarted" true "$msg"
fi

# --- remove --------------------------------------------------------------------------------------------
keys="policy dropin $(installed_manifest_keys | tr '\n' ' ')"
rm -rf "$BACKUP"
mkdir -p "$BACKUP" || finish failed false false "cannot create $BACKUP"
# shellcheck disable=SC2086
save_files "$BACKUP" $keys || finish failed false false "cannot back up the current files into $BACKUP"
echo files-written >"$STATE/phase"
changed=false
for key in $keys; do
    p="$(path_of "$key")"
    if [ -f "$ORIGINAL/$key" ]; then
        same "$ORIGINAL/$key" "$p" && continue
        install_file "$ORIGINAL/$key" "$p" 0600 || rollback "could not restore $p"
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
    restart_service || rollback "systemctl restart $SERVICE failed"
    restarted=true
    wait_ready "$READY_TIMEOUT" || rollback "the API server was not ready within ${READY_TIMEOUT}s after removing the audit configuration"
fi
rm -f "$STATE/phase"
finish ok "$restarted" true "removed; the node's own files are back$([ "$restarted" = true ] && echo ", $SERVICE restarted, API server ready")"
