#!/bin/sh
# akko-audit k3s verify: READ-ONLY look at what a k3s server node runs, for `akko-audit verify`. It writes
# nothing anywhere (no temporary file, no chmod, no restart); it only reads /proc, the k3s config files,
# the audit policy, the drop-in and the tail of the audit log. Runs as root (through `sudo -n` for another
# login user): the policy, the drop-in and /proc/<pid>/environ are root-only.
# Prints "key=value" lines on stdout and exits 0; the CLI compares them with the stack. Paths it prints are
# the node's paths (without AKKO_ROOT). Exits 1 with one line on stderr when it cannot look at all.
#   pid, started (epoch s), cmdline, execstart   the k3s server process and its unit's ExecStart argv
#   config, args-source, arg (repeated)          the effective kube-apiserver-arg list, in order
#   changed-after-start (repeated)               config/policy files modified after the process started
#   policy.sha256|mode, dropin.sha256|mode,      sha256 and octal mode (no key when the file is missing)
#   log.mode, log.newest, now                    the newest audit event's stageTimestamp, the node's clock
#
# Inputs (environment variables; every one has a default):
#   AKKO_NODE            name used in messages (default: hostname)
#   AKKO_SERVICE         systemd unit of the k3s server (default k3s)
#   AKKO_POLICY_PATH     audit policy file (default /etc/rancher/k3s/audit-policy.yaml)
#   AKKO_DROPIN_PATH     akko-audit's drop-in (default /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml)
#   AKKO_AUDIT_LOG_PATH  audit log (default /var/log/k3s-audit.log)
#   AKKO_CONFIG_FILE     k3s config file when neither --config nor K3S_CONFIG_FILE moves it
#                        (default /etc/rancher/k3s/config.yaml)
#   AKKO_ROOT            prefix for every node path above (tests use a temporary root; default empty)
#   AKKO_PATH_PREFIX     directories put first on PATH (tests put a stub systemctl there; default empty)
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
# Sorted config.yaml.d globs, as k3s orders them (byte order, not the locale's).
LC_ALL=C
export LC_ALL
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
SERVICE="${AKKO_SERVICE:-k3s}"
R="${AKKO_ROOT:-}"
POLICY="${AKKO_POLICY_PATH:-/etc/rancher/k3s/audit-policy.yaml}"
DROPIN="${AKKO_DROPIN_PATH:-/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml}"
LOG="${AKKO_AUDIT_LOG_PATH:-/var/log/k3s-audit.log}"
CONFIG="${AKKO_CONFIG_FILE:-/etc/rancher/k3s/config.yaml}"

fail() {
    printf 'akko-audit: node %s: %s\n' "$NODE" "$*" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || fail "verify.sh must run as root (the CLI runs it through sudo -n)"

# stat -c works with GNU coreutils and busybox. Prints "MODE MTIME" or nothing.
mode_mtime() { stat -c '%a %Y' "$1" 2>/dev/null; }

# --- the running k3s server ----------------------------------------------------------------------------
pid="$(systemctl show -p MainPID "$SERVICE" 2>/dev/null | sed -n 's/^MainPID=//p' | head -n 1)"
[ -n "$pid" ] || pid=0
echo "pid=$pid"
started=""
cmdline=""
env_config=""
if [ "$pid" != 0 ] && [ -r "/proc/$pid/cmdline" ]; then
    # k3s rewrites its process title to "<binary> server" (hiding its flags), with NUL padding.
    cmdline="$(tr '\000' ' ' <"/proc/$pid/cmdline" | sed 's/  *$//')"
    env_config="$(tr '\000' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^K3S_CONFIG_FILE=//p' | tail -n 1)"
    # Field 22 of /proc/<pid>/stat (start, in clock ticks after boot); comm (field 2) may hold blanks.
    ticks="$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $20 }')"
    btime="$(awk '/^btime / { print $2 }' /proc/stat)"
    hz="$(getconf CLK_TCK 2>/dev/null || echo 100)"
    [ -n "$ticks" ] && [ -n "$btime" ] && started=$((btime + ticks / hz))
fi
echo "started=$started"
echo "cmdline=$cmdline"
execstart="$(systemctl show -p ExecStart "$SERVICE" 2>/dev/null | sed -n 's/.*argv\[\]=\([^;]*\);.*/\1/p' | head -n 1 | sed 's/  *$//')"
echo "execstart=$execstart"

# --- effective kube-apiserver-arg ------------------------------------------------------------------------
# Minimal on purpose (to be replaced by effective-args.sh): the words after "server" on the process's
# command line, or the unit's ExecStart when k3s hid them; --config/-c and K3S_CONFIG_FILE move the config
# file; config.yaml then <config>.d/*.yaml in name order, a key replacing the list, "key+" appending; any
# --kube-apiserver-arg on the command line replaces the config files' list.
args_line="$(printf '%s\n' "$cmdline" | sed -n 's/^[^ ]*k3s server *//p')"
[ -n "$args_line" ] || args_line="$(printf '%s\n' "$execstart" | sed -n 's/^[^ ]*k3s server *//p')"
cli_config=""
cli_args=""
want=""
# Flag values are single words in practice (ExecStart arrives blank-separated anyway).
for w in $args_line; do
    case "$want" in
        config) cli_config="$w"; want=""; continue ;;
        arg) cli_args="$cli_args$w
"; want=""; continue ;;
    esac
    case "$w" in
        --config | -c) want=config ;;
        --config=* | -c=*) cli_config="${w#*=}" ;;
        --kube-apiserver-arg) want=arg ;;
        --kube-apiserver-arg=*) cli_args="$cli_args${w#--kube-apiserver-arg=}
" ;;
    esac
done
if [ -n "$cli_config" ]; then CONFIG="$cli_config"; elif [ -n "$env_config" ]; then CONFIG="$env_config"; fi
echo "config=$CONFIG"

files=""
[ -f "$R$CONFIG" ] && files="$R$CONFIG"
for f in "$R$CONFIG.d"/*.yaml; do [ -f "$f" ] && files="$files
$f"; done

# kube-apiserver-arg from one or more YAML files: block lists, flow lists [a, b] and scalars, quoted or not.
config_args() {
    awk '
        function unq(v) { sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
            if (v ~ /^".*"$/ || v ~ /^\047.*\047$/) return substr(v, 2, length(v) - 2)
            sub(/[ \t]+#.*$/, "", v); return v }
        function add(v) { v = unq(v); if (v != "") list[n++] = v }
        FNR == 1 { inlist = 0 }
        /^kube-apiserver-arg\+?[ \t]*:/ {
            if ($0 !~ /^kube-apiserver-arg\+/) n = 0
            v = $0; sub(/^[^:]*:[ \t]*/, "", v); sub(/^#.*/, "", v)
            if (v ~ /^\[/) { sub(/^\[/, "", v); sub(/\][ \t]*(#.*)?$/, "", v); k = split(v, parts, ","); for (i = 1; i <= k; i++) add(parts[i]); inlist = 0 }
            else if (v != "") { add(v); inlist = 0 }
            else inlist = 1
            next
        }
        inlist && /^[ \t]*-[ \t]/ { v = $0; sub(/^[ \t]*-[ \t]*/, "", v); add(v); next }
        inlist && /^[ \t]*(#.*)?$/ { next }
        { inlist = 0 }
        END { for (i = 0; i < n; i++) print list[i] }
    ' "$@"
}

if [ -n "$cli_args" ]; then
    echo "args-source=command line"
    printf '%s' "$cli_args" | sed 's/^/arg=/'
else
    echo "args-source=config files"
    # shellcheck disable=SC2086 # file names are separated by newlines only
    if [ -n "$files" ]; then (IFS='
' && config_args $files) | sed 's/^/arg=/'; fi
fi

# A file changed after the process started is not what the API server runs with. 2 s of slack: the start
# time is computed from whole-second btime and may read up to a second early.
for f in $files "$R$POLICY"; do
    m="$(mode_mtime "$f" | awk '{ print $2 }')"
    [ -n "$started" ] && [ -n "$m" ] && [ "$m" -gt $((started + 2)) ] && echo "changed-after-start=${f#"$R"}"
done

# --- the files akko-audit installs ----------------------------------------------------------------------
file_facts() { # KEY PATH
    [ -f "$R$2" ] || return 0
    echo "$1.sha256=$(sha256sum <"$R$2" | cut -d ' ' -f 1)"
    echo "$1.mode=$(mode_mtime "$R$2" | awk '{ print $1 }')"
}
file_facts policy "$POLICY"
file_facts dropin "$DROPIN"
if [ -f "$R$LOG" ]; then
    echo "log.mode=$(mode_mtime "$R$LOG" | awk '{ print $1 }')"
    # The last complete event: a line being written at this moment may be cut short.
    last="$(tail -n 20 "$R$LOG" | grep '"kind":"Event"' | tail -n 1)"
    ts="$(printf '%s\n' "$last" | sed -n 's/.*"stageTimestamp":"\([^"]*\)".*/\1/p')"
    [ -n "$ts" ] || ts="$(printf '%s\n' "$last" | sed -n 's/.*"requestReceivedTimestamp":"\([^"]*\)".*/\1/p')"
    echo "log.newest=$ts"
fi
echo "now=$(date +%s)"
