// Runs the stages of a rendered Alloy loki.process block the way Alloy v1.18 implements them
// (internal/component/loki/process/stages: json.go, regex.go, template.go, output.go, timestamp.go,
// structured_metadata.go, static_labels.go, label_keep.go (labelallow), match.go), with the same libraries
// (text/template + sprig, go-jmespath, regexp). Optionally in front of them, what loki.source.awsfirehose
// does with a Firehose request (loki/source/aws_firehose/routes.go, model.go: base64, gzip means a
// CloudWatch Logs subscription record whose logEvents become entries) and its relabel_rules ("replace" only).
//
// Input on stdin: {"stages": [{"kind": ..., attributes as rendered}], "relabel": [{action, source_labels,
// target_label}], "entries": [{"line", "labels": {}, "ts": unix ns}]} or, instead of entries, "firehose"
// (the request body), "now" (unix ns, the ingest time) and "use_incoming_timestamp". Times in unix ns are
// decimal strings (beyond JavaScript's exact integers).
// Output: one JSON object per entry, in order: {"dropped": bool, "line", "ts": unix ns, "labels": {},
// "metadata": {}} (structured metadata as Alloy attaches it: an empty value is kept, as Alloy keeps it).
// Sprig is Debian's golang-github-masterminds-sprig-dev (3.2.3, the v3 code Alloy vendors), in GOPATH mode.
// Not ported: stage kinds and options the rendered configs do not use (the harness stops with an error).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
	"github.com/jmespath/go-jmespath"
)

type stage struct {
	Kind                       string            `json:"kind"`
	Expressions                map[string]string `json:"expressions"`
	Source                     string            `json:"source"`
	Expression                 string            `json:"expression"`
	Template                   string            `json:"template"`
	Format                     string            `json:"format"`
	ActionOnFailure            string            `json:"action_on_failure"`
	ActionOnDuplicateTimestamp string            `json:"action_on_duplicate_timestamp"`
	Values                     json.RawMessage   `json:"values"`
	Selector                   string            `json:"selector"`
	Action                     string            `json:"action"`
	Value                      string            `json:"value"`
}

type rule struct {
	Action       string   `json:"action"`
	SourceLabels []string `json:"source_labels"`
	TargetLabel  string   `json:"target_label"`
}

type entry struct {
	Line   string            `json:"line"`
	Labels map[string]string `json:"labels"`
	TS     int64             `json:"ts,string"`
}

type spec struct {
	Stages               []stage         `json:"stages"`
	Relabel              []rule          `json:"relabel"`
	Entries              []entry         `json:"entries"`
	Firehose             json.RawMessage `json:"firehose"`
	Now                  int64           `json:"now,string"`
	UseIncomingTimestamp bool            `json:"use_incoming_timestamp"`
}

type result struct {
	Dropped  bool              `json:"dropped"`
	Line     string            `json:"line"`
	TS       int64             `json:"ts,string"`
	Labels   map[string]string `json:"labels"`
	Metadata map[string]string `json:"metadata"`
	Tenant   string            `json:"tenant,omitempty"`
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	os.Exit(1)
}

// simplify is the json stage's simplifyType: numbers, strings, booleans and null kept, anything else as JSON text.
func simplify(r interface{}) interface{} {
	switch r.(type) {
	case float64, string, bool, nil:
		return r
	default:
		b, _ := json.Marshal(r)
		return string(b)
	}
}

// getString is Alloy's conversion of extracted values (stages/util.go): null cannot be converted.
func getString(v interface{}) (string, bool) {
	switch i := v.(type) {
	case float64:
		return strconv.FormatFloat(i, 'f', -1, 64), true
	case string:
		return i, true
	case bool:
		return strconv.FormatBool(i), true
	default:
		return "", false
	}
}

func labelsString(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Quote(l[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var matcher = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$`)

// selectorMatches supports the selectors the rendered configs use: {name="value", ...} (equality only).
func selectorMatches(selector string, labels map[string]string) bool {
	s := strings.TrimSpace(selector)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		fail("match: unsupported selector %q", selector)
	}
	for _, m := range strings.Split(s[1:len(s)-1], ",") {
		g := matcher.FindStringSubmatch(m)
		if g == nil {
			fail("match: unsupported matcher %q", m)
		}
		want, err := strconv.Unquote(`"` + g[2] + `"`)
		if err != nil {
			fail("match: %v", err)
		}
		if labels[g[1]] != want {
			return false
		}
	}
	return true
}

// tsCache is timestamp.go's lastKnownTimestamps: per label set, the last parsed and the last output time.
type tsCache struct{ parsed, adjusted time.Time }

func runPipeline(stages []stage, in entry, last map[int]map[string]tsCache) result {
	labels := map[string]string{}
	for k, v := range in.Labels {
		labels[k] = v
	}
	line := in.Line
	ts := time.Unix(0, in.TS).UTC()
	extracted := map[string]interface{}{}
	metadata := map[string]string{}
	tenant := ""
	for i, st := range stages {
		switch st.Kind {
		case "json":
			var data map[string]interface{}
			if err := json.Unmarshal([]byte(line), &data); err != nil {
				continue
			}
			for name, expr := range st.Expressions {
				r, err := jmespath.Search(expr, data)
				if err != nil {
					continue
				}
				extracted[name] = simplify(r)
			}
		case "regex":
			src, ok := getString(extracted[st.Source])
			if !ok {
				continue
			}
			re := regexp.MustCompile(st.Expression)
			m := re.FindStringSubmatch(src)
			if m == nil {
				continue
			}
			for j, n := range re.SubexpNames() {
				if n != "" && m[j] != "" {
					extracted[n] = m[j]
				}
			}
		case "template":
			tpl := template.Must(template.New("t").Funcs(sprig.TxtFuncMap()).Parse(st.Template))
			td := map[string]interface{}{}
			for k, v := range extracted {
				if s, ok := getString(v); ok {
					td[k] = s
					if k == st.Source {
						td["Value"] = s
					}
				}
			}
			td["Entry"] = line
			var buf bytes.Buffer
			if err := tpl.Execute(&buf, td); err != nil {
				fail("template: %v", err)
			}
			if buf.Len() == 0 {
				delete(extracted, st.Source)
			} else {
				extracted[st.Source] = buf.String()
			}
		case "output":
			if s, ok := getString(extracted[st.Source]); ok {
				line = s
			}
		case "timestamp":
			if st.Format != "RFC3339Nano" {
				fail("timestamp: unsupported format %q", st.Format)
			}
			onFailure, onDuplicate := st.ActionOnFailure, st.ActionOnDuplicateTimestamp
			if onFailure == "" {
				onFailure = "fudge"
			}
			if onDuplicate == "" {
				onDuplicate = "fudge"
			}
			cache := last[i]
			key := labelsString(labels)
			s, ok := getString(extracted[st.Source])
			parsed, err := time.Parse(time.RFC3339Nano, s)
			if !ok || err != nil {
				if onFailure == "fudge" {
					if c, found := cache[key]; found {
						ts = c.adjusted.Add(time.Nanosecond)
						cache[key] = tsCache{c.parsed, ts}
					}
				}
				continue
			}
			ts = parsed
			if onDuplicate == "fudge" {
				if c, found := cache[key]; found && parsed.Equal(c.parsed) {
					ts = c.adjusted.Add(time.Nanosecond)
				}
			}
			if onFailure == "fudge" || onDuplicate == "fudge" {
				cache[key] = tsCache{parsed, ts}
			}
		case "structured_metadata":
			var values map[string]string
			if err := json.Unmarshal(st.Values, &values); err != nil {
				fail("structured_metadata: %v", err)
			}
			for name, src := range values {
				if src == "" {
					src = name
				}
				if v, found := extracted[src]; found {
					if s, ok := getString(v); ok {
						metadata[name] = s
					}
				}
			}
		case "static_labels":
			var values map[string]string
			if err := json.Unmarshal(st.Values, &values); err != nil {
				fail("static_labels: %v", err)
			}
			for k, v := range values {
				labels[k] = v
			}
		case "label_keep":
			var keep []string
			if err := json.Unmarshal(st.Values, &keep); err != nil {
				fail("label_keep: %v", err)
			}
			kept := map[string]string{}
			for _, k := range keep {
				if v, found := labels[k]; found {
					kept[k] = v
				}
			}
			labels = kept
		case "match":
			if st.Action != "drop" {
				fail("match: only action drop is ported, got %q", st.Action)
			}
			if selectorMatches(st.Selector, labels) {
				return result{Dropped: true}
			}
		case "tenant":
			// stage.tenant with a static value: the entry's Loki tenant (X-Scope-OrgID).
			if st.Value == "" {
				fail("tenant: only a static value is ported")
			}
			tenant = st.Value
		default:
			fail("stage %q is not ported", st.Kind)
		}
	}
	return result{Line: line, TS: ts.UnixNano(), Labels: labels, Metadata: metadata, Tenant: tenant}
}

// relabel applies "replace" rules with the defaults (separator ";", regex (.*), replacement $1), then drops
// the labels starting with "__" as the firehose source does before forwarding (postProcessLabels).
func relabel(rules []rule, labels map[string]string) map[string]string {
	for _, r := range rules {
		if r.Action != "replace" {
			fail("relabel: only replace is ported, got %q", r.Action)
		}
		vals := make([]string, 0, len(r.SourceLabels))
		for _, l := range r.SourceLabels {
			vals = append(vals, labels[l])
		}
		if v := strings.Join(vals, ";"); v != "" {
			labels[r.TargetLabel] = v
		} else {
			delete(labels, r.TargetLabel)
		}
	}
	out := map[string]string{}
	for k, v := range labels {
		if !strings.HasPrefix(k, "__") {
			out[k] = v
		}
	}
	return out
}

type firehoseRequest struct {
	Timestamp int64 `json:"timestamp"`
	Records   []struct {
		Data string `json:"data"`
	} `json:"records"`
}

type cwLogsRecord struct {
	MessageType         string   `json:"messageType"`
	Owner               string   `json:"owner"`
	LogGroup            string   `json:"logGroup"`
	LogStream           string   `json:"logStream"`
	SubscriptionFilters []string `json:"subscriptionFilters"`
	LogEvents           []struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	} `json:"logEvents"`
}

// firehoseEntries is routes.go's Logs: each record decoded; a gzip payload is a CloudWatch Logs record.
func firehoseEntries(body []byte, now int64, incoming bool, rules []rule) []entry {
	var req firehoseRequest
	if err := json.Unmarshal(body, &req); err != nil {
		fail("firehose: %v", err)
	}
	var out []entry
	for _, rec := range req.Records {
		raw, err := base64.StdEncoding.DecodeString(rec.Data)
		if err != nil {
			continue
		}
		ts := now
		if incoming {
			ts = time.Unix(req.Timestamp/1000, 0).UnixNano()
		}
		if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b, 8}) {
			out = append(out, entry{Line: string(raw), Labels: relabel(rules, map[string]string{}), TS: ts})
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			continue
		}
		var cw cwLogsRecord
		if err := json.Unmarshal(data, &cw); err != nil {
			continue
		}
		for _, ev := range cw.LogEvents {
			t := ts
			if incoming {
				t = time.UnixMilli(ev.Timestamp).UnixNano()
			}
			labels := map[string]string{
				"__aws_owner": cw.Owner, "__aws_cw_log_group": cw.LogGroup, "__aws_cw_log_stream": cw.LogStream,
				"__aws_cw_matched_filters": strings.Join(cw.SubscriptionFilters, ","), "__aws_cw_msg_type": cw.MessageType,
			}
			out = append(out, entry{Line: ev.Message, Labels: relabel(rules, labels), TS: t})
		}
	}
	return out
}

func main() {
	var s spec
	if err := json.NewDecoder(os.Stdin).Decode(&s); err != nil {
		fail("%v", err)
	}
	entries := s.Entries
	if len(s.Firehose) > 0 {
		entries = firehoseEntries(s.Firehose, s.Now, s.UseIncomingTimestamp, s.Relabel)
	}
	last := map[int]map[string]tsCache{}
	for i := range s.Stages {
		last[i] = map[string]tsCache{}
	}
	for _, e := range entries {
		r := runPipeline(s.Stages, e, last)
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
}
