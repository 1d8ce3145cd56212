package scenarios

import (
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/results"
)

// Workload is a decoded, defaulted and validated workload file.
type Workload struct {
	// Name labels the run; it defaults to the file's base name without
	// its extension.
	Name       string
	Target     Target
	Identity   Identity
	Setup      Setup
	Teardown   bool
	Scenarios  []ScenarioSpec
	Thresholds []ThresholdSpec
	Output     Output

	// Notes are things the loader changed that the user should hear of
	// once (a / added to target.url's path).
	Notes []string

	// File is the name the workload was read from and SHA256 the hex
	// SHA-256 of its raw bytes (before ${VAR} expansion).
	File   string
	SHA256 string

	// files are the files the workload names and faultsPos where
	// target.faults is, for Check.
	files     []fileRef
	faultsPos Pos
}

// Connection reuse policies of Target.Connections.
const (
	ConnShared      = "shared"       // one HTTP client for the whole run
	ConnPerIdentity = "per-identity" // one client per SDK instance (ironoxide's default)
	ConnPerCall     = "per-call"     // a new connection for every call
)

// Target says where requests go and how.
type Target struct {
	// URL is "embedded" (the in-process reference service) or an http(s)
	// base URL whose path ends in /, such as https://host/api/1/ (the
	// loader adds the / a file left out: https://host means https://host/).
	URL string
	// Timeout bounds each request; default 30s.
	Timeout time.Duration
	// Connections is ConnShared, ConnPerIdentity (default) or ConnPerCall.
	Connections string
	// MaxRate caps the summed iteration rate of all scenarios, per second;
	// 0 means no cap. MaxWorkers caps the summed workers; 0 means no cap.
	MaxRate    float64
	MaxWorkers int
	// Faults are injected by the embedded service or `loadgen serve`.
	Faults []Fault
	TLS    TLS
	// HTTP2 is "auto" (default: negotiate) or "off".
	HTTP2 string
}

// TLS configures the client side of TLS to a real target.
type TLS struct {
	CAFile             string // PEM bundle trusted in addition to the system roots
	InsecureSkipVerify bool
}

// Fault is one fault the reference service injects on matching requests.
type Fault struct {
	// Route is "METHOD /path" or "*" for every request.
	Route string
	// Latency, if not nil, delays each matching response.
	Latency *LatencySpec
	// ErrorRate is the probability (0..1) of answering with Status instead
	// of the real response; Status defaults to 503 when ErrorRate > 0.
	// RetryAfter, if not 0, is sent as Retry-After with those errors.
	ErrorRate  float64
	Status     int
	RetryAfter time.Duration
	// Reset is the probability (0..1) of resetting the connection.
	Reset float64
	// Stall, if not 0, stops the response for that long after StallAfter
	// of it has been written.
	Stall      time.Duration
	StallAfter time.Duration
	// Line is where the fault is in the workload file.
	Line int
}

// Latency distributions of LatencySpec.Dist and the fields each needs.
const (
	DistFixed     = "fixed"     // Fixed
	DistUniform   = "uniform"   // Min, Max
	DistNormal    = "normal"    // Mean, StdDev
	DistLognormal = "lognormal" // Median, P99
)

// LatencySpec is an injected latency distribution. Only the fields of Dist
// are set.
type LatencySpec struct {
	Dist         string
	Fixed        time.Duration
	Min, Max     time.Duration
	Mean, StdDev time.Duration
	Median, P99  time.Duration
}

// Identity locates the IronCore identity used against a real target; the
// embedded service mints its own, so both may be empty.
type Identity struct {
	Config  string // path of the identity config (ironoxide's IronCore config)
	KeyFile string // path of the identity assertion key
}

// Setup says what to create before the scenarios start. Counts are totals,
// split over workers. From, if set, names an identities.json saved by an
// earlier run to reuse instead of creating users.
type Setup struct {
	Users, Groups, Documents int
	From                     string
}

// Output says where the run folder goes. Dir may hold {name} (the
// workload's name) and {time} (the start, as 20261127T031608Z); default
// "runs/{name}-{time}".
type Output struct {
	Dir string
}

// ScenarioSpec is one scenario of the workload file: an executor and the
// steps (or mix) each iteration runs.
//
// Which executor fields apply, and their defaults:
//
//	constant-workers:      workers (required), duration (required)
//	ramping-workers:       workers (start, default 0), stages (required; targets are workers)
//	constant-rate:         rate (required), duration (required), workers (pre-allocated), max_workers
//	ramping-rate:          start_rate (default 0), stages (required; targets are rates), workers, max_workers as constant-rate
//	shared-iterations:     iterations (total, required), workers (default 1), duration (cap, default none)
//	per-worker-iterations: iterations (each, required), workers (default 1), duration (cap, default none)
//
// think_time applies to the closed executors (workers, iterations) and
// max_lateness to the open ones (rates); any other field is an error.
//
// An open executor's workers, max_workers and max_lateness stay 0 when the
// file does not give them: the engine owns those defaults
// (loadgen.Executor.OpenWorkers, loadgen.DefaultMaxLateness). Rates above
// loadgen.RateLimit, workers above loadgen.WorkersLimit and durations above
// loadgen.DurationLimit are refused.
type ScenarioSpec struct {
	Name       string
	Executor   loadgen.Kind
	Workers    int
	MaxWorkers int
	// Rate is constant-rate's rate and StartRate ramping-rate's initial
	// rate, both per second.
	Rate       float64
	StartRate  float64
	Duration   time.Duration
	Stages     []loadgen.Stage
	Iterations int64

	StartAfter   time.Duration
	GracefulStop time.Duration // default 30s
	ThinkTime    time.Duration
	MaxLateness  time.Duration // 0: the engine's default

	// Exactly one of Steps and Mix is set.
	Steps []StepSpec
	Mix   []StepSpec
	// Capacity is the search of executor capacity, else nil.
	Capacity *CapacitySpec

	Line, Col int
}

// StepSpec is one step of a scenario (or one choice of its mix).
type StepSpec struct {
	Op string
	// Name is the step's label in reports; it defaults to Op.
	Name string
	// Weight is the relative weight of a mix choice (default 1); 0 in steps.
	Weight int
	// Args are the op's own fields, converted to the Go types of their
	// ops.FieldKind.
	Args ops.Args
	// Line and Col are where the step is; ArgPos has the position of each
	// argument's value.
	Line, Col int
	ArgPos    map[string]Pos
}

// Pos is a position in the workload file.
type Pos struct {
	Line, Col int
}

// ThresholdSpec is one threshold expression under one key of the
// thresholds map. Key is "*", "op", "scenario/op", "scenario/*" or
// "op/phase"; Expr is an expression such as "p(99) < 500ms", and T is Expr
// as results.ParseThreshold parsed it. Line and Col are Expr's position.
type ThresholdSpec struct {
	Key, Expr string
	T         results.Threshold
	Line, Col int
	// AbortOnFail stops the run as soon as the threshold fails while it
	// runs (checked once a second, first after AbortDelay), to protect a
	// shared target such as staging.
	AbortOnFail bool
	AbortDelay  time.Duration
}

// Defaults of the fields that have one.
const (
	defaultTimeout      = 30 * time.Second
	defaultGracefulStop = 30 * time.Second
)
