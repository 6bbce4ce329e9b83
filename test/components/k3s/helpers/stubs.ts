/**
 * Stub systemctl, k3s and journalctl for one simulated node: the only things in the integration tests that
 * are not real (no systemd or k3s can run here). They live in <root>/stub/bin and are steered by files in
 * <root>/ctl:
 *   version        `k3s --version` reports it (default v1.30.4+k3s1)
 *   execstart      the unit's ExecStart argv (default "/usr/local/bin/k3s server")
 *   fail-pattern   if the config+policy the "API server" was last (re)started with contains this text, it
 *                  is broken: fail-mode "refuse" (default) answers /readyz with an error, "hang" never answers
 *   ready-delay    seconds after a restart before /readyz is ok (default 0)
 *   no-audit       present: the API server writes no audit events
 *   environment    the unit's Environment= (e.g. K3S_CONFIG_FILE=/srv/k3s.yaml); the unit's EnvironmentFiles is
 *                  /etc/systemd/system/k3s.service.env, as the k3s installer writes it
 *   restart-fail   present: `systemctl restart` fails with this text on stderr (e.g. a masked unit)
 *   shutdown-event present: the old API server writes one audit event while it stops (on restart)
 *   on-restart     a shell script run by `systemctl restart` before the new server reads its config (a change
 *                  that lands between preflight and restart, e.g. config management writing a drop-in)
 * and record: restarts (one line per restart), started-at, running-config (what the API server runs with),
 * apiserver-args (the kube-apiserver flags k3s would start with, merged like k3s: k3s-config-merge.js; the
 * audit log is the last audit-log-path there), journal (what journalctl -u prints).
 */
import * as path from "node:path";

export function stubScripts(root: string): Record<string, string> {
    const head = `#!/bin/sh\nROOT='${root}'\nCTL="$ROOT/ctl"\n`;
    const merge = `'${process.execPath}' '${path.join(__dirname, "k3s-config-merge.js")}' "$ROOT"`;
    const systemctl = `${head}
cmd="$1"; shift
case "$cmd" in
    show)
        case "$2" in
            Environment) printf 'Environment=%s\\n' "$(cat "$CTL/environment" 2>/dev/null)" ;;
            EnvironmentFiles) echo 'EnvironmentFiles=/etc/systemd/system/k3s.service.env (ignore_errors=yes)' ;;
            MainPID) echo 'MainPID=0' ;;
            *) printf 'ExecStart={ path=/usr/local/bin/k3s ; argv[]=%s ; ignore_errors=no ; start_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\\n' "$(cat "$CTL/execstart")" ;;
        esac
        ;;
    restart)
        if [ -f "$CTL/restart-fail" ]; then cat "$CTL/restart-fail" >&2; exit 1; fi
        if [ -f "$CTL/shutdown-event" ]; then
            old_log="$(sed -n 's/.*audit-log-path=\\(.*\\)$/\\1/p' "$CTL/running-config" | tail -n 1)"
            [ -n "$old_log" ] && printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"shutdown-%s","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system","verb":"get"}\\n' "$$" >>"$ROOT$old_log"
        fi
        if [ -f "$CTL/on-restart" ]; then ROOT="$ROOT" /bin/sh "$CTL/on-restart"; fi
        cat "$ROOT/etc/rancher/k3s/config.yaml" "$ROOT"/etc/rancher/k3s/config.yaml.d/*.yaml "$ROOT/etc/rancher/k3s/audit-policy.yaml" >"$CTL/running-config" 2>/dev/null
        ${merge} >"$CTL/apiserver-args" || exit 1
        date +%s >"$CTL/started-at"
        echo "$(date +%s) $*" >>"$CTL/restarts"
        echo "k3s[4242]: Starting k3s $(cat "$CTL/version")" >>"$CTL/journal"
        pattern="$(cat "$CTL/fail-pattern" 2>/dev/null)"
        if [ -n "$pattern" ] && grep -q -F "$pattern" "$CTL/running-config"; then
            echo 'k3s[4242]: E1125 kube-apiserver: failed to load audit policy: strict decoding error: unknown field "broken"' >>"$CTL/journal"
        else
            echo "k3s[4242]: Running kube-apiserver $(tr '\\n' ' ' <"$CTL/apiserver-args")" >>"$CTL/journal"
            echo "k3s[4242]: k3s is up and running" >>"$CTL/journal"
        fi
        ;;
    is-active)
        if [ -f "$CTL/started-at" ]; then echo active; else echo inactive; exit 3; fi
        ;;
    *) echo "stub systemctl: unsupported $cmd" >&2; exit 1 ;;
esac
`;
    const k3s = `${head}
if [ "$1" = --version ]; then
    echo "k3s version $(cat "$CTL/version") (4a3f1b2c)"
    echo "go version go1.22.5"
    exit 0
fi
[ "$1" = kubectl ] || { echo "stub k3s: unsupported $1" >&2; exit 1; }
raw=""
while [ $# -gt 0 ]; do [ "$1" = --raw ] && raw="$2"; shift; done
broken=false
pattern="$(cat "$CTL/fail-pattern" 2>/dev/null)"
if [ -n "$pattern" ] && grep -q -F "$pattern" "$CTL/running-config" 2>/dev/null; then broken=true; fi
if [ "$broken" = true ] && [ "$(cat "$CTL/fail-mode" 2>/dev/null)" = hang ]; then exec sleep 3600; fi
started="$(cat "$CTL/started-at" 2>/dev/null)"
delay="$(cat "$CTL/ready-delay" 2>/dev/null || echo 0)"
if [ -z "$started" ] || [ "$broken" = true ] || [ "$(date +%s)" -lt $((started + delay)) ]; then
    echo "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?" >&2
    exit 1
fi
if [ "$raw" = /readyz ]; then echo ok; exit 0; fi
log="$(sed -n 's/^--audit-log-path=//p' "$CTL/apiserver-args" 2>/dev/null | tail -n 1)"
if [ -n "$log" ] && [ ! -f "$CTL/no-audit" ]; then
    printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"ResponseComplete","requestURI":"%s","verb":"get","user":{"username":"system:admin","groups":["system:masters"]}}\\n' "$$-$(date +%s)" "$raw" >>"$ROOT$log"
fi
echo '{"kind":"Namespace"}'
`;
    const journalctl = `${head}
n=20
while [ $# -gt 0 ]; do [ "$1" = -n ] && n="$2"; shift; done
tail -n "$n" "$CTL/journal" 2>/dev/null
`;
    return { systemctl, k3s, journalctl };
}
