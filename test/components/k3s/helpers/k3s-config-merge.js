/**
 * The stub k3s's config merge: the kube-apiserver args a k3s server would start with, computed as k3s does
 * (k3s-io/k3s pkg/configfilearg parser.go, pkg/util/args.go GetArgs), with a real YAML parser. It is a second,
 * independent implementation of what effective-args.sh predicts, so the tests can compare the two:
 *   - the config file: K3S_CONFIG_FILE (the unit's env file wins over Environment=), else --config/-c on
 *     the command line, else /etc/rancher/k3s/config.yaml; then <config>.d/*.yaml|*.yml (any case), by name;
 *   - `key+` appends to the value so far, a plain key replaces it;
 *   - kube-apiserver-arg on the command line replaces the config-file list;
 *   - GetArgs: per flag name (leading `--` and trailing `-`/`+` dropped) a list of values, `name-=v` prepends;
 *     flags come out sorted by name, each value as --name=value; for a repeated flag the API server takes the last.
 * CommonJS run by plain Node: the stub systemctl calls it on every restart (`node k3s-config-merge.js ROOT`).
 * A node path is the same path under ROOT; the unit is <ROOT>/ctl/execstart, <ROOT>/ctl/environment and the
 * env file /etc/systemd/system/k3s.service.env.
 */
const { existsSync, readdirSync, readFileSync, statSync } = require("node:fs");
const path = require("node:path");
const { parse } = require("yaml");

const DEFAULT_CONFIG = "/etc/rancher/k3s/config.yaml";
const ENV_FILE = "/etc/systemd/system/k3s.service.env";
const KEY = "kube-apiserver-arg";

const read = (root, p) => (existsSync(path.join(root, p)) ? readFileSync(path.join(root, p), "utf8") : undefined);

/** K3S_CONFIG_FILE as systemd would give it to k3s: Environment=, then the env file over it. */
function configFileEnv(root) {
    let value;
    for (const word of (read(root, "ctl/environment") ?? "").split(/\s+/)) if (word.startsWith("K3S_CONFIG_FILE=")) value = word.slice(16);
    for (const line of (read(root, ENV_FILE) ?? "").split("\n")) {
        const m = /^\s*K3S_CONFIG_FILE\s*=\s*(.*)$/.exec(line);
        if (m)
            value = m[1]
                .trim()
                .replace(/^"(.*)"$/, "$1")
                .replace(/^'(.*)'$/, "$1");
    }
    return value || undefined;
}

/** configfilearg findConfigFileFlag: env, then --config/-c, then the default. */
function configFile(root, argv) {
    const env = configFileEnv(root);
    if (env) return env;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--config" || argv[i] === "-c") return argv[i + 1] ?? "";
        if (argv[i].startsWith("--config=")) return argv[i].slice(9);
        if (argv[i].startsWith("-c=")) return argv[i].slice(3);
    }
    return DEFAULT_CONFIG;
}

const toSlice = (v) => (Array.isArray(v) ? v : typeof v === "string" ? [v] : String(v ?? "").trim() === "" ? [] : [String(v).trim()]);

/** The config-file value of kube-apiserver-arg (readConfigFile), as a list of strings, or undefined. */
function configList(root, config) {
    const dir = `${config}.d`;
    const files = existsSync(path.join(root, dir))
        ? readdirSync(path.join(root, dir))
              .filter((f) => !statSync(path.join(root, dir, f)).isDirectory() && /\.(yaml|yml)$/i.test(f))
              // Go's os.ReadDir sorts by bytes.
              .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))
              .map((f) => `${dir}/${f}`)
        : [];
    if (existsSync(path.join(root, config))) files.unshift(config);
    let value;
    let seen = false;
    for (const f of files) {
        const doc = parse(read(root, f)) ?? {};
        for (const [k, v] of Object.entries(doc)) {
            const isAppend = k.endsWith("+");
            if (k.replace(/\+$/, "") !== KEY) continue;
            value = seen && isAppend ? [...toSlice(value), ...toSlice(v)] : v;
            seen = true;
        }
    }
    return seen ? toSlice(value).map(String) : undefined;
}

/** pkg/util/args.go GetArgs with no k3s defaults for these flags: sorted --name=value lines. */
function getArgs(extra) {
    const multi = new Map();
    for (const unsplit of extra) {
        const a = unsplit.replace(/^--/, "");
        const eq = a.indexOf("=");
        const arg = eq < 0 ? a : a.slice(0, eq);
        const value = eq < 0 ? "true" : a.slice(eq + 1);
        const clean = arg.replace(/[-+]+$/, "");
        const existing = multi.get(clean) ?? [];
        multi.set(clean, arg.endsWith("-") && !arg.endsWith("+") ? [value, ...existing] : [...existing, value]);
    }
    return [...multi.keys()].sort().flatMap((k) => multi.get(k).map((v) => `--${k}=${v}`));
}

/** The kube-apiserver flags the stub k3s server starts with (GetArgs output, sorted). */
function apiServerArgs(root) {
    const argv = (read(root, "ctl/execstart") ?? "").trim().split(/\s+/);
    const cli = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === `--${KEY}`) cli.push(argv[++i] ?? "");
        else if (argv[i].startsWith(`--${KEY}=`)) cli.push(argv[i].slice(KEY.length + 3));
    }
    // Command-line lists override config-file lists.
    const list = cli.length > 0 ? cli : (configList(root, configFile(root, argv)) ?? []);
    return getArgs(list);
}

/** The value the API server uses for a flag: the last one. */
function effectiveValue(args, name) {
    const values = args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
    return values.length > 0 ? values[values.length - 1] : undefined;
}

module.exports = { apiServerArgs, effectiveValue, getArgs };

if (require.main === module)
    process.stdout.write(
        apiServerArgs(process.argv[2])
            .map((a) => `${a}\n`)
            .join(""),
    );
