// Package recryptoracle drives the recrypt oracle: the real recrypt-rs, in its WebAssembly
// build, behind js/oracle.js in this package (JSON lines on stdin and stdout; see
// js/README.md). Tests use it as the judge of this project's recrypt work: values made here
// must decrypt there, and the other way round.
//
// The oracle needs Node.js and the npm package @ironcorelabs/recrypt-wasm-binding, installed by
//
//	eval "$(scripts/install-oracle.sh "$(mktemp -d)")"
//
// which exports RECRYPT_WASM_BINDING_DIR. Without it, Get skips the calling test loudly, or
// fails it when RECRYPT_ORACLE_REQUIRED=1 (as in CI).
//
// The types in hex.go are the oracle's JSON shapes (byte strings as hex, structured values
// with the binding's field names) with conversions from and to sdk/recrypt's values.
package recryptoracle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// RequiredEnv is the environment variable that turns a missing oracle from a skip into a
// failure when set to "1".
const RequiredEnv = "RECRYPT_ORACLE_REQUIRED"

// SourceEnv names the folder holding oracle.js, when it is not this package's js folder
// (the same variable scripts/install-oracle.sh reads).
const SourceEnv = "RECRYPT_ORACLE_SRC"

// Oracle is a running oracle process. Its methods are safe for concurrent use; calls are
// answered one at a time, in order.
type Oracle struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	nextID int
	broken error // set when the line protocol can no longer be trusted
	closed bool
}

// Error is an answer of the oracle with "ok": false.
type Error struct {
	Op      string
	Kind    string // request, binding, unsupported, trap or parse
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("oracle %s (%s): %s", e.Op, e.Kind, e.Message) }

// Start starts node on oracle.js and checks that it answers "info".
func Start() (*Oracle, error) {
	script, err := Script()
	if err != nil {
		return nil, err
	}
	if err := checkInstalled(script); err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, script)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	o := newOracle(in, out)
	o.cmd = cmd
	var info map[string]any
	if err := o.Call("info", nil, &info); err != nil {
		o.Close()
		return nil, fmt.Errorf("oracle did not answer info: %w", err)
	}
	return o, nil
}

// newOracle speaks the protocol over in and out.
func newOracle(in io.WriteCloser, out io.Reader) *Oracle {
	return &Oracle{in: in, out: bufio.NewReaderSize(out, 1<<20)}
}

// BindingEnv names the installed npm package @ironcorelabs/recrypt-wasm-binding, as
// scripts/install-oracle.sh prints it.
const BindingEnv = "RECRYPT_WASM_BINDING_DIR"

// Script returns the path of oracle.js: $RECRYPT_ORACLE_SRC/oracle.js if that variable is
// set, else internal/recryptoracle/js/oracle.js in the repository.
func Script() (string, error) {
	dir := os.Getenv(SourceEnv)
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "internal", "recryptoracle", "js")
	}
	script := filepath.Join(dir, "oracle.js")
	if _, err := os.Stat(script); err != nil {
		return "", err
	}
	return script, nil
}

// checkInstalled reports, as an error, why oracle.js next to script would not find the npm
// package: neither $RECRYPT_WASM_BINDING_DIR (a folder that exists) nor $NODE_PATH nor a
// node_modules beside the script.
func checkInstalled(script string) error {
	if dir := os.Getenv(BindingEnv); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
			return fmt.Errorf("%s=%s: %w", BindingEnv, dir, err)
		}
		return nil
	}
	if os.Getenv("NODE_PATH") != "" {
		return nil
	}
	local := filepath.Join(filepath.Dir(script), "node_modules", "@ironcorelabs", "recrypt-wasm-binding")
	if _, err := os.Stat(local); err == nil {
		return nil
	}
	return fmt.Errorf("npm package @ironcorelabs/recrypt-wasm-binding not installed (%s unset)", BindingEnv)
}

// repoRoot returns the nearest directory at or above the working directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Call sends one request {"id":n,"op":op,...args} and decodes the result into res (unless res
// is nil). An answer with "ok": false is an *Error. After an I/O or framing error the oracle
// refuses further calls.
func (o *Oracle) Call(op string, args map[string]any, res any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return errors.New("oracle: closed")
	}
	if o.broken != nil {
		return fmt.Errorf("oracle: unusable after an earlier error: %w", o.broken)
	}
	o.nextID++
	id := o.nextID
	req := make(map[string]any, len(args)+2)
	for k, v := range args {
		req[k] = v
	}
	req["id"] = id
	req["op"] = op
	line, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("oracle %s: encoding the request: %w", op, err)
	}
	if _, err := o.in.Write(append(line, '\n')); err != nil {
		o.broken = err
		return fmt.Errorf("oracle %s: writing the request: %w", op, err)
	}
	resp, err := o.out.ReadBytes('\n')
	if err != nil {
		o.broken = err
		return fmt.Errorf("oracle %s: reading the response: %w", op, err)
	}
	var r struct {
		ID     json.RawMessage `json:"id"`
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		o.broken = err
		return fmt.Errorf("oracle %s: response %.200q: %w", op, bytes.TrimSpace(resp), err)
	}
	if string(r.ID) != fmt.Sprint(id) {
		o.broken = fmt.Errorf("response id %s, want %d", r.ID, id)
		return fmt.Errorf("oracle %s: %w", op, o.broken)
	}
	if !r.OK {
		if r.Error == nil {
			return &Error{Op: op, Kind: "?", Message: "failed without an error"}
		}
		return &Error{Op: op, Kind: r.Error.Kind, Message: r.Error.Message}
	}
	if res == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, res); err != nil {
		return fmt.Errorf("oracle %s: result: %w", op, err)
	}
	return nil
}

// Close ends the oracle: it closes its input and waits for node to exit, killing it after
// five seconds. Calls after Close fail.
func (o *Oracle) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	o.in.Close()
	if o.cmd == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- o.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		o.cmd.Process.Kill()
		return <-done
	}
}

// sharedOracle is an oracle started on first use.
type sharedOracle struct {
	mu    sync.Mutex
	start func() (*Oracle, error)
	did   bool
	o     *Oracle
	err   error
}

// shared is the oracle of this process, started by the first Get.
var shared = &sharedOracle{start: Start}

// Get returns the oracle shared by the tests of this binary, starting it on first use. When it
// cannot start, Get skips t with a loud message, or fails it if RECRYPT_ORACLE_REQUIRED=1.
// Call Shutdown from TestMain to stop it when the tests are done.
func Get(t testing.TB) *Oracle {
	t.Helper()
	return shared.get(t)
}

func (s *sharedOracle) get(t testing.TB) *Oracle {
	t.Helper()
	s.mu.Lock()
	if !s.did {
		s.did = true
		s.o, s.err = s.start()
	}
	o, err := s.o, s.err
	s.mu.Unlock()
	if err != nil {
		msg := fmt.Sprintf("recrypt oracle unavailable (%v); install it with: eval \"$(scripts/install-oracle.sh \"$(mktemp -d)\")\"", err)
		if Required() {
			t.Fatal(msg + "; " + RequiredEnv + "=1 makes that a failure")
		}
		t.Skip("SKIPPED: " + msg)
	}
	return o
}

// Required reports whether RECRYPT_ORACLE_REQUIRED=1.
func Required() bool { return os.Getenv(RequiredEnv) == "1" }

// Shutdown stops the oracle Get started, if any; a later Get starts a fresh one.
func Shutdown() { shared.shutdown() }

func (s *sharedOracle) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.o != nil {
		s.o.Close()
	}
	s.o, s.err, s.did = nil, nil, false
}
