package scenarios

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"A": "1", "EMPTY": "", "B_2": "two"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "1"},
		{in: "x${A}y${B_2}z", want: "x1ytwoz"},
		{in: "${UNSET:-5/s}", want: "5/s"},
		{in: "${A:-9}", want: "1"},
		{in: "${EMPTY:-d}", want: "d"},       // as the shell: empty takes the default
		{in: "${EMPTY}", want: ""},           // set but empty, no default
		{in: "${UNSET:-}", want: ""},         // empty default
		{in: "${UNSET:-a:-b}", want: "a:-b"}, // the default is literal
		{in: "$${A}", want: "${A}"},          // escape
		{in: "$A and $", want: "$A and $"},   // only ${ is special
		{in: "cost: $5", want: "cost: $5"},   //
		{in: "${UNSET}", err: "variable UNSET is not set"},
		{in: "a ${A", err: "unclosed ${"},
		{in: "${}", err: "is not a variable reference"},
		{in: "${1X}", err: "is not a variable reference"},
		{in: "${A B}", err: "is not a variable reference"},
	}
	for _, tt := range tests {
		got, err := expand(tt.in, lookup)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("expand(%q) error = %v; want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestParseVars checks ${VAR} in workloads: where it applies, the -e vars
// winning over the environment, and errors naming the variable and line.
func TestParseVars(t *testing.T) {
	t.Parallel()
	const src = `name: ${NAME:-vars}
target: {url: "${URL:-embedded}", timeout: "${TIMEOUT:-30s}"}
scenarios:
  - name: s
    executor: constant-rate
    rate: ${RATE}
    duration: 1m
    steps: [{op: http, url: "/${PATH_PART:-health}", headers: {Authorization: "Bearer ${TOKEN:-none}"}}]
`
	tests := []struct {
		name string
		env  map[string]string
		vars map[string]string
		err  string
		// checked when err is ""
		rate             float64
		wname, url, auth string
	}{
		{name: "defaults", env: map[string]string{"RATE": "5/s"}, rate: 5, wname: "vars", url: "/health", auth: "Bearer none"},
		{name: "env", env: map[string]string{"RATE": "120/m", "NAME": "n", "PATH_PART": "x", "TOKEN": "t"}, rate: 2, wname: "n", url: "/x", auth: "Bearer t"},
		{name: "vars win", env: map[string]string{"RATE": "1/s"}, vars: map[string]string{"RATE": "7"}, rate: 7, wname: "vars", url: "/health", auth: "Bearer none"},
		{name: "unset", err: "v.yaml:6:11: scenarios[0].rate: variable RATE is not set"},
		{name: "expanded then typed", vars: map[string]string{"RATE": "fast"}, err: `v.yaml:6:11: scenarios[0].rate: "fast" is not a rate`},
		{name: "bad target", vars: map[string]string{"RATE": "1", "URL": "nope"}, err: `v.yaml:2:15: target.url: "nope" is not a target`},
		{name: "production", vars: map[string]string{"RATE": "1", "URL": "https://api.ironcorelabs.com/api/1/"}, err: "production API"},
		{name: "timeout", vars: map[string]string{"RATE": "1", "TIMEOUT": "0s"}, err: "v.yaml:2:44: target.timeout: must be more than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			w, err := Parse("v.yaml", []byte(src), LoadOptions{Getenv: getenv, Vars: tt.vars, Catalog: testCatalog()})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st := w.Scenarios[0].Steps[0]
			auth := st.Args["headers"].(map[string]string)["Authorization"]
			if w.Scenarios[0].Rate != tt.rate || w.Name != tt.wname || st.Args["url"] != tt.url || auth != tt.auth {
				t.Errorf("rate, name, url, auth = %v, %q, %q, %q; want %v, %q, %q, %q",
					w.Scenarios[0].Rate, w.Name, st.Args["url"], auth, tt.rate, tt.wname, tt.url, tt.auth)
			}
		})
	}
}

// TestVarsNotInKeys checks that keys are never expanded.
func TestVarsNotInKeys(t *testing.T) {
	t.Parallel()
	src := "target: {url: embedded}\n${KEY}: 1\nscenarios: []\n"
	_, err := Parse("k.yaml", []byte(src), LoadOptions{Vars: map[string]string{"KEY": "name"}, Catalog: testCatalog()})
	if err == nil || !strings.Contains(err.Error(), `k.yaml:2:1: ${KEY}: unknown field "${KEY}"`) {
		t.Fatalf("err = %v; want the key reported as unknown, unexpanded", err)
	}
}

// TestProductionAllowed checks that AllowProduction lets the production
// host through.
func TestProductionAllowed(t *testing.T) {
	t.Parallel()
	src := "target: {url: \"https://api.ironcorelabs.com/api/1/\"}\nscenarios: [{name: a, executor: shared-iterations, iterations: 1, steps: [{op: user_create}]}]\n"
	if _, err := Parse("p.yaml", []byte(src), LoadOptions{Catalog: testCatalog(), AllowProduction: true}); err != nil {
		t.Fatal(err)
	}
}
