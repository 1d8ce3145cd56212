package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/service"
)

// serveLimits are serve's connection and replay settings, each a service.Config field.
type serveLimits struct {
	bodyTimeout, idleTimeout, futureSkew, replayWindow time.Duration
	maxConns                                           int
}

// check names the first negative flag.
func (l *serveLimits) check() error {
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"--body-timeout", l.bodyTimeout}, {"--idle-timeout", l.idleTimeout}, {"--future-skew", l.futureSkew}, {"--replay-window", l.replayWindow}} {
		if d.v < 0 {
			return fmt.Errorf("%s %v: want a duration of 0 or more", d.flag, d.v)
		}
	}
	if l.maxConns < 1 {
		return fmt.Errorf("--max-conns %d: want 1 or more", l.maxConns)
	}
	return nil
}

// apply sets the settings in cfg.
func (l *serveLimits) apply(cfg *service.Config) {
	cfg.BodyTimeout, cfg.IdleTimeout, cfg.MaxConns = l.bodyTimeout, l.idleTimeout, l.maxConns
	cfg.FutureSkew, cfg.ReplayWindow = l.futureSkew, l.replayWindow
}

// register adds the flags to cmd, with the service's defaults.
func (l *serveLimits) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.DurationVar(&l.bodyTimeout, "body-timeout", service.DefaultBodyTimeout, "how long a request body may take to arrive after its headers (then 408, connection closed), and an answer to be written once it starts; 0 = the default")
	fs.DurationVar(&l.idleTimeout, "idle-timeout", service.DefaultIdleTimeout, "how long a keep-alive connection may wait for its next request; 0 = the default")
	fs.IntVar(&l.maxConns, "max-conns", service.DefaultMaxConns, "connections open at once; more wait in the listen backlog until one closes")
	fs.DurationVar(&l.futureSkew, "future-skew", service.DefaultFutureSkew, "how far ahead of this clock a JWT iat or a signed request's timestamp may be; 0 = the default")
	fs.DurationVar(&l.replayWindow, "replay-window", 0, "if above 0, refuse a signed state-changing request sent again, or dated before this window (off by default)")
}

func newServeCommand(st *state) *cobra.Command {
	var addr, stateDir, policiesFile string
	var seed int64
	lim := &serveLimits{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference IronCore service alone",
		Long: `Run the built-in reference service on its own, for several loadgen processes or
other clients to share. It listens on loopback by default; faults can be changed
while it runs with PUT /admin/faults, and GET /admin/stats tells what its store
holds (loopback clients asking for a loopback host only).

Against a hostile client it bounds bodies (4 MiB, 413; --body-timeout, 408),
answers to a client that does not read them (--body-timeout), idle keep-alive
connections (--idle-timeout) and open connections (--max-conns); it accepts JWTs
and signed timestamps at most --future-skew ahead of its clock.
--replay-window turns on a replay cache for signed requests that change state.

With --state-dir it writes the project's IronCore config (ironcore-config.json)
and identity assertion key (iak.pem, mode 0600) there, for workloads to name in
identity: {config, key_file}.

GET policies answers from a built-in policy (the one IronCore's ironoxide tests
assume: labels HEALTH/RESTRICTED/PATIENT, PII/INTERNAL, and a catch-all rule);
--policies FILE replaces it with your own, in the JSON form of IronCore's admin
console ({"categories", "sensitivities", "dataSubjects", "rules": [{"category",
"sensitivity", "dataSubject", "users", "groups"}]}, %USER% and %LOGGED_IN_USER%
in IDs). A file with no rules means no policy (404).`,
		Example: `  # serve on a fixed port, with the identity for clients in ./state
  loadgen serve --addr 127.0.0.1:8080 --state-dir state

  # then, in a workload: target.url: http://127.0.0.1:8080/api/1/
  #                      identity: {config: state/ironcore-config.json, key_file: state/iak.pem}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			host, port, err := net.SplitHostPort(addr)
			if n, perr := strconv.Atoi(port); err != nil || port != "" && (perr != nil || n < 0 || n > 65535) {
				return &exitError{code: exitUsage, err: fmt.Errorf("--addr %q: want host:port with a port of 0 to 65535, e.g. 127.0.0.1:8080", addr)}
			}
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				fmt.Fprintf(st.stderr, "loadgen: warning: serving on %s, not loopback\n", addr)
			}
			if err := lim.check(); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if err := checkStateDir(stateDir); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			cfg, err := serveConfig(seed, policiesFile)
			if err != nil {
				return err
			}
			lim.apply(&cfg)
			svc, err := service.New(cfg)
			if err != nil {
				return withCode(exitRunError, err)
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			base, err := svc.Start(ctx, addr)
			var opErr *net.OpError
			if errors.As(err, &opErr) && opErr.Op == "listen" { // in use, or not this machine's: as run's --metrics-addr
				return &exitError{code: exitUsage, err: fmt.Errorf("--addr %q: %w", addr, opErr)}
			}
			if err != nil {
				return withCode(exitRunError, fmt.Errorf("serve: %w", err))
			}
			defer svc.Close()
			if stateDir != "" {
				cfgPath, keyPath, err := svc.Project().WriteState(stateDir)
				if err != nil {
					return withCode(exitRunError, fmt.Errorf("--state-dir: %w", err))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "loadgen: identity for clients: config %s, key %s (0600)\n", cfgPath, keyPath)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "loadgen: reference service at %s (Ctrl+C to stop)\n", base)
			sigs, unsubscribe := st.signals()
			defer unsubscribe()
			select {
			case <-sigs:
			case <-ctx.Done():
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the fault layer's randomness")
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "write the project's IronCore config and identity key (0600) to this folder")
	cmd.Flags().StringVar(&policiesFile, "policies", "", "policy file (admin console JSON) for GET policies, instead of the built-in one")
	lim.register(cmd)
	return cmd
}

// serveConfig is the service configuration of loadgen serve: the fault seed and, with
// --policies, the policy read from that file (a bad file is a usage error naming file:line:col).
func serveConfig(seed int64, policiesFile string) (service.Config, error) {
	cfg := service.Config{Seed: seed}
	if policiesFile != "" {
		p, err := service.LoadPolicy(policiesFile)
		if err != nil {
			return cfg, &exitError{code: exitUsage, err: fmt.Errorf("--policies: %w", err)}
		}
		cfg.Policy = p
	}
	return cfg, nil
}

// checkStateDir checks, before the service starts, that --state-dir is a
// folder, or can be made, whose files can be written.
func checkStateDir(dir string) error {
	if dir == "" {
		return nil
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("--state-dir %s is a file; want a folder", dir)
	}
	if err := checkWritable(nearestDir(dir)); err != nil {
		return fmt.Errorf("--state-dir %s: %w", dir, err)
	}
	return nil
}
