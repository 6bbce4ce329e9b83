#!/bin/sh
# akko-audit k3s effective-args: the kube-apiserver arguments k3s will really run with, computed the way k3s
# merges them (k3s-io/k3s pkg/configfilearg, pkg/util/args.go), before anything on the node is changed:
#   - the config file: K3S_CONFIG_FILE from the server's environment, else --config/-c on its command line,
#     else /etc/rancher/k3s/config.yaml; then every <config>.d/*.yaml|*.yml (any case) in byte order of name;
#   - `kube-apiserver-arg+:` appends to the list so far, a plain `kube-apiserver-arg:` replaces it;
#   - kube-apiserver-arg on the k3s command line replaces the config-file list;
#   - a repeated apiserver flag: the last value wins (`name-=v` prepends, so an earlier value wins over it).
# Only the YAML k3s configs use for this key is parsed (a scalar or a list of strings, block or flow style);
# anything else mentioning kube-apiserver-arg is a refusal naming the file, never a guess.
# With AKKO_EXPECT_ARGS it checks that those flags (the audit drop-in's) would be the ones in effect, as if the
# drop-in at AKKO_DROPIN_PATH already held them. Runs as root (k3s configs and unit env files are root-only);
# preflight.sh runs it through sudo; it can also be run alone. Prints one `name=value<TAB>source` line per
# flag in effect, sorted by name; refuses with exit 3 and one line on stderr.
#
# Inputs (environment variables; every one has a default):
#   AKKO_NODE          name used in messages (default: hostname)
#   AKKO_SERVICE       systemd unit of the k3s server (default k3s)
#   AKKO_DROPIN_PATH   the audit drop-in (default /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml)
#   AKKO_EXPECT_ARGS   the drop-in's flags, one `name=value` a line; empty: only print what is in effect
#   AKKO_ARGS_SOURCE   unit (default): the unit's ExecStart, Environment and EnvironmentFiles, i.e. what the
#                      next restart runs; process: /proc/<MainPID>/cmdline and environ of the running server
#                      (falls back to the unit's ExecStart when there is no main process, or when it
#                      hides its arguments, as k3s does, keeping the process's own K3S_CONFIG_FILE)
#   AKKO_ROOT          prefix for every node path (tests point it into a temporary root; default empty)
#   AKKO_PATH_PREFIX   directories put first on PATH (tests put a stub systemctl there; default empty)
set -u

if [ -n "${AKKO_PATH_PREFIX:-}" ]; then PATH="$AKKO_PATH_PREFIX:$PATH"; export PATH; fi
NODE="${AKKO_NODE:-$(hostname 2>/dev/null || echo unknown)}"
SERVICE="${AKKO_SERVICE:-k3s}"
DROPIN="${AKKO_DROPIN_PATH:-/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml}"
EXPECT="${AKKO_EXPECT_ARGS:-}"
SOURCE="${AKKO_ARGS_SOURCE:-unit}"
R="${AKKO_ROOT:-}"
DEFAULT_CONFIG=/etc/rancher/k3s/config.yaml
KEY=kube-apiserver-arg
TAB="$(printf '\t')"
# k3s sorts drop-ins by bytes (Go's os.ReadDir); so must ls and sort here.
LC_ALL=C
export LC_ALL

refuse() {
    printf 'akko-audit: node %s: %s\n' "$NODE" "$*" >&2
    exit 3
}

# --- the server's command line and K3S_CONFIG_FILE -------------------------------------------------------
argv=""
config_env=""
config_env_src=""
cli_src="the k3s command line of unit $SERVICE"
if [ "$SOURCE" = process ]; then
    pid="$(systemctl show -p MainPID "$SERVICE" 2>/dev/null | sed -n 's/^MainPID=//p')"
    if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/cmdline" ]; then
        argv="$(tr '\000' '\n' <"/proc/$pid/cmdline")"
        config_env="$(tr '\000' '\n' <"/proc/$pid/environ" | sed -n 's/^K3S_CONFIG_FILE=//p' | tail -n 1)"
        config_env_src="the environment of the running k3s server (pid $pid)"
        cli_src="the command line of the running k3s server (pid $pid)"
        # k3s rewrites its own title to "<binary> server" so that ps does not show its flags
        # (gspt.SetProcTitle in pkg/cli/server): its command line is then the unit's ExecStart. The
        # environment of the process is still its own.
        if [ "$(printf '%s\n' "$argv" | sed '/^$/d' | wc -l)" -le 2 ]; then
            argv=""
            proc_config_env="$config_env"
            proc_config_env_src="$config_env_src"
            cli_src="the k3s command line of unit $SERVICE"
        fi
    fi
fi
if [ -z "$argv" ]; then
    exec_start="$(systemctl show -p ExecStart "$SERVICE" 2>/dev/null | head -n 1)"
    argv="$(printf '%s\n' "$exec_start" | sed -n 's/.*argv\[\]=\([^;]*\);.*/\1/p' | tr ' ' '\n' | sed '/^$/d')"
    [ -n "$argv" ] || refuse "systemd unit $SERVICE has no ExecStart (is k3s installed as the $SERVICE service? set serviceName)"
    # Environment= first; EnvironmentFile= entries override it, later files over earlier ones (systemd.exec).
    config_env="$(systemctl show -p Environment "$SERVICE" 2>/dev/null | sed 's/^Environment=//' | tr ' ' '\n' | sed -n 's/^K3S_CONFIG_FILE=//p' | tail -n 1)"
    [ -n "$config_env" ] && config_env_src="Environment= of unit $SERVICE"
    files="$(systemctl show -p EnvironmentFiles "$SERVICE" 2>/dev/null | sed -n 's/^EnvironmentFiles=\([^ ]*\).*/\1/p')"
    for ef in $files; do
        [ -f "$R$ef" ] || continue
        [ -r "$R$ef" ] || refuse "cannot read $ef (EnvironmentFile of unit $SERVICE); run as root"
        v="$(sed -n 's/^[ ]*K3S_CONFIG_FILE[ ]*=[ ]*//p' "$R$ef" | tail -n 1 | sed 's/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/')"
        if [ -n "$v" ]; then
            config_env="$v"
            config_env_src="$ef (EnvironmentFile of unit $SERVICE)"
        fi
    done
fi

if [ -n "${proc_config_env:-}" ]; then
    config_env="$proc_config_env"
    config_env_src="$proc_config_env_src"
fi

# K3S_CONFIG_FILE wins over --config/-c, which wins over the default (configfilearg findConfigFileFlag).
config="$DEFAULT_CONFIG"
config_src=""
flag_config="$(printf '%s\n' "$argv" | awk '
    found { next }
    $0 == "--config" || $0 == "-c" { want = 1; next }
    want { print; found = 1; next }
    /^--config=/ { print substr($0, 10); found = 1; next }
    /^-c=/ { print substr($0, 4); found = 1 }')"
if [ -n "$config_env" ]; then
    config="$config_env"
    config_src="K3S_CONFIG_FILE in $config_env_src"
elif [ -n "$flag_config" ]; then
    config="$flag_config"
    config_src="--config on $cli_src"
fi

# kube-apiserver-arg on the command line (after the subcommand): it replaces the config-file list.
cli_args="$(printf '%s\n' "$argv" | awk -v key="--$KEY" '
    want { print; want = 0; next }
    $0 == key { want = 1; next }
    index($0, key "=") == 1 { print substr($0, length(key) + 2) }')"

# --- parse one file: R<TAB>src (the list is replaced), A<TAB>src<TAB>item, or E<TAB>message -----------------
parse_file() { # FILE DISPLAY
    tr -d '\r' <"$1" | awk -v key="$KEY" -v src="$2" '
        function bad(msg) { print "E\t" src ": " msg; failed = 1; exit }
        # Drops a trailing comment (a # after a blank, outside quotes) and surrounding blanks.
        function strip(s,   i, c, q, out) {
            q = ""; out = ""
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (q == "" && c == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t]/)) break
                if (q == "" && (c == "\"" || c == "\047")) q = c
                else if (q != "" && c == q) q = ""
                out = out c
            }
            sub(/^[ \t]+/, "", out); sub(/[ \t]+$/, "", out)
            return out
        }
        # One scalar item: single- or double-quoted (no escapes) or plain; anything else is refused.
        function item(s, flow,   v) {
            if (s == "") bad("an empty " key " item; remove it")
            if (s ~ /^"/) {
                if (s !~ /^"[^"\\]*"$/) bad("cannot parse the " key " item " s " (escapes or a multi-line string); write it as a plain or single-quoted string")
                v = substr(s, 2, length(s) - 2)
            } else if (s ~ /^\047/) {
                if (s !~ /^\047([^\047]|\047\047)*\047$/) bad("cannot parse the " key " item " s "; write it on one line")
                v = substr(s, 2, length(s) - 2); gsub(/\047\047/, "\047", v)
            } else {
                if (s ~ /^[][{}&*!|>%@`?,:]/ || s ~ /: / || s ~ /:$/ || (flow && s ~ /[][{},]/)) bad("cannot parse the " key " item " s " (only strings are allowed)")
                # YAML 1.1 would read these as null, booleans or numbers, not as the text.
                if (s !~ /=/ && s ~ /^(~|null|Null|NULL|[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[0-9.+].*)$/) bad("the " key " item " s " is not a flag (name=value)")
                v = s
            }
            if (v ~ /\t/) bad("a tab in the " key " item " s)
            if (v !~ /^(--)?[A-Za-z0-9][A-Za-z0-9+-]*(=.*)?$/) bad("the " key " item " s " is not a kube-apiserver flag (name=value)")
            print "A\t" src "\t" v
        }
        function flow_items(s,   i, c, q, cur, n) {
            s = substr(s, 2, length(s) - 2); cur = ""; q = ""; n = 0
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (q == "" && (c == "\"" || c == "\047")) q = c
                else if (q != "" && c == q) q = ""
                if (q == "" && c == ",") { sub(/^[ \t]+/, "", cur); sub(/[ \t]+$/, "", cur); item(cur, 1); cur = ""; n++; continue }
                cur = cur c
            }
            sub(/^[ \t]+/, "", cur); sub(/[ \t]+$/, "", cur)
            if (cur != "" || n == 0) { if (cur != "") item(cur, 1) }
        }
        function close_flow() {
            if (flow != "") bad("an unterminated [ list for " key)
        }
        BEGIN { mode = "" ; flow = ""; content = 0; multidoc = 0 }
        {
            line = $0
            if (line ~ /^(---|\.\.\.)([ \t].*)?$/) { if (content) multidoc = 1; next }
            s = strip(line)
            if (s == "") next
            if (index(s, key) > 0) mentions++
            if (flow != "") {
                flow = flow " " s
                if (s ~ /\]$/) { flow_items(flow); flow = "" } else if (s ~ /\]/) bad("cannot parse the " key " list")
                next
            }
            content = 1
            if (line ~ /^[^ \t-]/ || line ~ /^-[^ \t]/) {
                # A top-level key.
                if (mode == "block" && items == 0) bad("an empty " key "; remove it or list its items")
                mode = ""
                if (match(s, /^[A-Za-z0-9_.+-]+:/) == 0) next
                k = substr(s, 1, RLENGTH - 1); rest = substr(s, RLENGTH + 1)
                if (k != key && k != key "+") next
                if (rest != "" && rest !~ /^[ \t]/) next
                sub(/^[ \t]+/, "", rest)
                if (seen[k]++) bad(k " appears twice; keep one")
                if (k == key) print "R\t" src
                if (rest == "") { mode = "block"; indent = -1; items = 0; next }
                if (rest ~ /^\[/) {
                    if (rest ~ /\]$/) flow_items(rest)
                    else if (rest ~ /\]/) bad("cannot parse the " key " list")
                    else flow = rest
                    next
                }
                if (rest ~ /^[{|>&*!]/) bad("cannot parse " k ": " rest " (only a string or a list of strings)")
                item(rest, 0)
                mode = "scalar"
                next
            }
            # An indented line or a "- " at column 0: part of the value of the last top-level key.
            if (mode == "") next
            if (mode == "scalar") bad("a multi-line value for " key "; write it as a list")
            if (line ~ /^[ ]*\t/) bad("a tab in the indentation of the " key " list")
            if (match(line, /^[ ]*-([ \t]|$)/) == 0) bad("cannot parse the " key " list (only - items)")
            ind = RLENGTH
            if (indent < 0) indent = ind
            if (ind != indent) bad("cannot parse the " key " list (items at different indentations)")
            v = strip(substr(line, RLENGTH + 1))
            if (v ~ /^- / || v == "-" || v ~ /^[A-Za-z0-9_.+-]+:( |$)/ || v ~ /^[|>[{&*!]/) bad("cannot parse the " key " item " v " (only strings are allowed)")
            item(v, 0)
            items++
        }
        END {
            if (failed) exit 1
            close_flow()
            if (failed) exit 1
            if (mode == "block" && items == 0) bad("an empty " key "; remove it or list its items")
            if (multidoc && mentions) bad("several YAML documents; k3s reads only the first: keep " key " in one document")
        }' || return 1
}

# Every line mentioning the key must have been read as the key or one of its items: checked by counting.
# (A flow mapping, a quoted key or an indented document would otherwise be skipped silently.)
check_mentions() { # FILE DISPLAY
    n="$(tr -d '\r' <"$1" | sed "s/[ $TAB]#.*\$//; s/^#.*\$//" | grep -c -e "$KEY" || true)"
    k="$(tr -d '\r' <"$1" | grep -c -E "^$KEY\+?:([ $TAB]|\$)" || true)"
    [ "$n" = "$k" ] || refuse "$2: mentions $KEY in a form this check cannot read safely (only a top-level '$KEY:' or '$KEY+:' key holding a string or a list of strings); rewrite it in that form"
}

events=""
add_file() { # FILE DISPLAY
    check_mentions "$1" "$2"
    out="$(parse_file "$1" "$2")"
    err="$(printf '%s\n' "$out" | grep "^E$TAB" | head -n 1 | cut -f 2-)"
    [ -z "$err" ] || refuse "$err"
    events="$events$out
"
}

# Our drop-in as it will be: the expected flags, appended (its real key is kube-apiserver-arg+).
our_events() {
    printf '%s\n' "$EXPECT" | sed '/^$/d' | while IFS= read -r a; do printf 'A\t%s\t%s\n' "$DROPIN" "$a"; done
}

dir="$config.d"
# A moved config reads <config>.d, not the directory the drop-in goes to.
if [ -n "$EXPECT" ] && [ "$config" != "$DEFAULT_CONFIG" ] && [ "$(dirname "$DROPIN")" != "$dir" ]; then
    refuse "k3s reads its config from $config ($config_src), so it never reads the audit drop-in $DROPIN (only $dir/*.yaml); move that config back to $DEFAULT_CONFIG and remove $config_src (a moved k3s config is not supported)"
fi
if [ -f "$R$config" ]; then
    [ -r "$R$config" ] || refuse "cannot read $config; run as root"
    add_file "$R$config" "$config"
fi
names=""
if [ -d "$R$dir" ]; then
    [ -r "$R$dir" ] || refuse "cannot read $dir; run as root"
    names="$(ls -A "$R$dir")"
fi
[ -n "$EXPECT" ] && [ "$(dirname "$DROPIN")" = "$dir" ] && names="$names
$(basename "$DROPIN")"
for name in $(printf '%s\n' "$names" | sed '/^$/d' | sort -u); do
    case "$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')" in *.yaml | *.yml) ;; *) continue ;; esac
    f="$dir/$name"
    if [ -n "$EXPECT" ] && [ "$f" = "$DROPIN" ]; then
        events="$events$(our_events)
"
        continue
    fi
    [ -d "$R$f" ] && continue
    [ -r "$R$f" ] || refuse "cannot read $f; run as root"
    add_file "$R$f" "$f"
done
if [ -n "$cli_args" ]; then
    events="${events}R$TAB$cli_src
$(printf '%s\n' "$cli_args" | while IFS= read -r a; do printf 'A\t%s\t%s\n' "$cli_src" "$a"; done)
"
fi

# --- merge, then check -----------------------------------------------------------------------------------

result="$(printf '%s' "$events" | awk -F '\t' -v expect="$EXPECT" -v dropin="$DROPIN" -v cli="$cli_src" -v key="$KEY" '
    $1 == "R" { n = 0; resetter = $2; next }
    $1 == "A" { n++; item[n] = $3; src[n] = $2; next }
    END {
        # pkg/util/args.go GetArgs: per flag name (leading -- and trailing -/+ dropped) a list of values.
        for (i = 1; i <= n; i++) {
            a = item[i]; sub(/^--/, "", a)
            eq = index(a, "=")
            if (eq) { name = substr(a, 1, eq - 1); val = substr(a, eq + 1) } else { name = a; val = "true" }
            clean = name; sub(/[-+]+$/, "", clean)
            if (!(clean in last)) { names[++nn] = clean }
            if (name ~ /-$/ && clean in last) { first[clean] = val; firstsrc[clean] = src[i] }
            else { last[clean] = val; lastsrc[clean] = src[i] }
            if (src[i] == dropin) ourseen = 1
            # Audit log paths set before the drop-in: an existing audit setup that ours would silence.
            if (clean == "audit-log-path" && !ourseen) { np++; prelog[np] = val; prelogsrc[np] = src[i] }
        }
        ne = split(expect, ex, "\n")
        for (j = 1; j <= ne; j++) {
            if (ex[j] == "") continue
            eq = index(ex[j], "="); name = substr(ex[j], 1, eq - 1); want = substr(ex[j], eq + 1)
            if (!(name in last)) {
                if (resetter == cli) { print "REFUSE\t" key " on " cli " replaces the config-file lists, so the audit flags of " dropin " would be ignored; move those flags into the k3s config file under " key ", remove them from the command line (INSTALL_K3S_EXEC or ExecStart), then systemctl daemon-reload"; exit }
                print "REFUSE\t" resetter " sets " key " without a +, which replaces the whole list, so k3s would run the API server without the audit flags of " dropin "; change that key to " key "+ (append) in " resetter; exit
            }
            if (last[name] != want) {
                if (lastsrc[name] == cli) { print "REFUSE\t" cli " sets " name "=" last[name] " and command-line lists override the config files, so the API server would not use " name "=" want " from " dropin "; remove it from the command line (INSTALL_K3S_EXEC or ExecStart), then systemctl daemon-reload"; exit }
                print "REFUSE\t" lastsrc[name] " sets " name "=" last[name] " after " dropin "; the last flag wins, so the API server would not use " name "=" want "; remove " name " from " lastsrc[name]; exit
            }
            for (p = 1; name == "audit-log-path" && p <= np; p++) if (prelog[p] != want) {
                print "REFUSE\t" prelogsrc[p] " already sets audit-log-path=" prelog[p] " (an existing audit setup, e.g. the CIS hardening layout); the audit drop-in " dropin " comes later and the last flag wins, so the API server would write audit events only to " want " and " prelog[p] " would stop receiving any; remove the audit-* entries from " key " in " prelogsrc[p] ", or set auditLogPath: " prelog[p] " on this cluster so both are the same file"; exit
            }
        }
        for (j = 1; j <= nn; j++) print names[j] "=" last[names[j]] "\t" lastsrc[names[j]]
    }')"
case "$result" in
    REFUSE"$TAB"*) refuse "$(printf '%s\n' "$result" | head -n 1 | cut -f 2-)" ;;
esac
[ -n "$result" ] && printf '%s\n' "$result" | sort
exit 0
