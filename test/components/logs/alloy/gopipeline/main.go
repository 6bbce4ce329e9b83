// Runs Alloy's loki.process json, regex, template and output stages the way Alloy implements them
// (internal/component/loki/process/stages: json.go, regex.go, template.go, output.go), with the same
// libraries (text/template + sprig, go-jmespath, regexp), over JSON lines: used by the tests to check the
// rendered GKE normalisation against the TypeScript normaliser. Input on stdin:
// {"lines": [...], "json": {name: expr}, "regex": [{"source", "expression"}], "template": "...",
// "source": "...", "hot": {name: expr}}: json, regex, template (when set) into `source`, output from `source`,
// then a json stage with the `hot` expressions over the new line (what structured_metadata reads).
// Output: one JSON object per input line, {"line": the entry line after the stages, "hot": {name: value}}.
// Sprig is Debian's golang-github-masterminds-sprig-dev (3.2.3, the v3 code Alloy vendors), in GOPATH mode.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/jmespath/go-jmespath"
)

type spec struct {
	Lines []string          `json:"lines"`
	JSON  map[string]string `json:"json"`
	Regex []struct {
		Source     string `json:"source"`
		Expression string `json:"expression"`
	} `json:"regex"`
	Template string            `json:"template"`
	Source   string            `json:"source"`
	Hot      map[string]string `json:"hot"`
}

// jsonStage is Alloy's json stage: numbers, strings, booleans and null kept, anything else as JSON text.
func jsonStage(line string, exprs map[string]string, extracted map[string]interface{}) {
	var data map[string]interface{}
	if err := json.Unmarshal([]byte(line), &data); err != nil {
		return
	}
	for name, expr := range exprs {
		r, err := jmespath.Search(expr, data)
		if err != nil {
			continue
		}
		switch r.(type) {
		case float64, string, bool, nil:
			extracted[name] = r
		default:
			b, _ := json.Marshal(r)
			extracted[name] = string(b)
		}
	}
}

// getString is Alloy's conversion of extracted values (stages/util.go).
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

func main() {
	var s spec
	if err := json.NewDecoder(os.Stdin).Decode(&s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tpl := template.Must(template.New("t").Funcs(sprig.TxtFuncMap()).Parse(s.Template))
	for _, line := range s.Lines {
		extracted := map[string]interface{}{}
		jsonStage(line, s.JSON, extracted)
		for _, rx := range s.Regex {
			src, ok := getString(extracted[rx.Source])
			if !ok {
				continue
			}
			re := regexp.MustCompile(rx.Expression)
			m := re.FindStringSubmatch(src)
			if m == nil {
				continue
			}
			for i, n := range re.SubexpNames() {
				if n != "" && m[i] != "" {
					extracted[n] = m[i]
				}
			}
		}
		if s.Template != "" {
			td := map[string]interface{}{}
			for k, v := range extracted {
				if str, ok := getString(v); ok {
					td[k] = str
				}
			}
			td["Entry"] = line
			var buf bytes.Buffer
			if err := tpl.Execute(&buf, td); err != nil {
				fmt.Fprintln(os.Stderr, "template:", err)
				os.Exit(1)
			}
			if buf.Len() > 0 {
				extracted[s.Source] = buf.String()
			}
		}
		out := line
		if str, ok := getString(extracted[s.Source]); ok {
			out = str
		}
		hot := map[string]interface{}{}
		jsonStage(out, s.Hot, hot)
		values := map[string]string{}
		for k, v := range hot {
			if str, ok := getString(v); ok && str != "" {
				values[k] = str
			}
		}
		b, _ := json.Marshal(map[string]interface{}{"line": out, "hot": values})
		fmt.Println(string(b))
	}
}
