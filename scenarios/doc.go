// Package scenarios reads workload files: YAML documents that say what to
// run against which target (schema v1, see DESIGN.md). Load and Parse decode
// a file strictly through yaml.v3's Node API, so every problem carries its
// file:line:col; they expand ${VAR} references, apply defaults and validate
// every field, reporting all problems at once. Compile turns a Workload into
// the engine's loadgen.Plan through an ops.Catalog.
//
// Values are read from their text after ${VAR} expansion, so `workers: "10"`
// and `workers: ${WORKERS}` are both integers. Units:
//
//   - durations are Go durations: 250ms, 30s, 1m30s;
//   - rates are iterations per unit of time: 200/s, 30/m, 100/h; a bare
//     number is per second (200 = 200/s);
//   - sizes are bytes: 512, 4KB (4000), 4KiB (4096), 1MiB;
//   - probabilities are a fraction 0..1 or a percentage: 0.02 or 2%.
//
// ${VAR} and ${VAR:-default} expand in values, never in keys; -e vars
// (LoadOptions.Vars) win over the environment, $${ writes a literal ${, and
// an unset variable without a default is an error. Inside flow collections
// ({...} or [...]) YAML itself needs such values quoted: {config:
// "${IRONCORE_CONFIG}"}. YAML anchors and merge keys (<<: *base) may share
// settings between scenarios or steps.
package scenarios
