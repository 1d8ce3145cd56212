package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/scenarios"
	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/service"
)

// target is where a run sends its load: the embedded reference service, or
// a named URL.
type target struct {
	url      *url.URL
	describe string // for logs and summary.json; never holds secrets
	svc      *service.Server
	issuer   *sdk.Issuer // nil when the run has no IronCore identity
	faults   []service.Fault
}

// armFaults switches on the workload's faults. The embedded service starts
// without them so that setup, which is not measured, is not disturbed;
// stall windows count from here.
func (t *target) armFaults() error {
	if t.svc == nil || len(t.faults) == 0 {
		return nil
	}
	return t.svc.SetFaults(t.faults)
}

func (t *target) close() {
	if t.svc != nil {
		t.svc.Close()
	}
}

// startTarget starts the embedded reference service when the workload asks
// for it, or checks the named URL. Faults apply only to the embedded
// service.
func startTarget(ctx context.Context, w *scenarios.Workload, seed int64) (*target, error) {
	if w.Target.URL != "embedded" {
		if len(w.Target.Faults) > 0 {
			return nil, fmt.Errorf("%s: target.faults work only with target.url: embedded (or on a `loadgen serve` through its admin endpoint)", w.File)
		}
		u, err := url.Parse(w.Target.URL)
		if err != nil {
			return nil, fmt.Errorf("target.url: %w", err)
		}
		t := &target{url: u, describe: u.Redacted()}
		if w.Identity.Config != "" || w.Identity.KeyFile != "" {
			if t.issuer, err = loadIssuer(w.Identity.Config, w.Identity.KeyFile); err != nil {
				return nil, err
			}
		}
		return t, nil
	}
	faults := serviceFaults(w.Target.Faults)
	svc, err := service.New(service.Config{Faults: faults, Seed: seed}) // checks the faults
	if err != nil {
		return nil, fmt.Errorf("%s: target.faults: %w", w.File, err)
	}
	if err := svc.SetFaults(nil); err != nil { // armed after setup
		return nil, err
	}
	base, err := svc.Start(ctx, "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the embedded service: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		svc.Close()
		return nil, fmt.Errorf("embedded service URL: %w", err)
	}
	p := svc.Project()
	iss, err := sdk.NewIssuerFromKey(sdk.ProjectConfig{ProjectID: p.ID, SegmentID: p.Segment, IdentityAssertionKeyID: p.KeyID}, p.Key)
	if err != nil {
		svc.Close()
		return nil, fmt.Errorf("embedded service identity: %w", err)
	}
	return &target{url: u, describe: "embedded " + base, svc: svc, issuer: iss, faults: faults}, nil
}

// loadIssuer reads an IronCore config JSON and identity assertion key.
// Errors name the files, never their contents.
func loadIssuer(configPath, keyPath string) (*sdk.Issuer, error) {
	if configPath == "" || keyPath == "" {
		return nil, fmt.Errorf("identity: give both config (the IronCore config JSON) and key_file (the identity assertion key PEM)")
	}
	cfg, err := capped.ReadFile(configPath, scenarios.MaxKeyFileSize, "an identity config")
	if err != nil {
		return nil, fmt.Errorf("identity.config: %w", err)
	}
	key, err := capped.ReadFile(keyPath, scenarios.MaxKeyFileSize, "an identity key file")
	if err != nil {
		return nil, fmt.Errorf("identity.key_file: %w", err)
	}
	iss, err := sdk.NewIssuer(cfg, key)
	if err != nil {
		return nil, fmt.Errorf("identity (%s, %s): %w", configPath, keyPath, err)
	}
	return iss, nil
}

// ironCore builds what the SDK ops share, or nil when the run has no
// IronCore identity.
func (t *target) ironCore(w *scenarios.Workload, shard scenarios.Shard) (*ops.IronCore, error) {
	if t.issuer == nil {
		return nil, nil
	}
	cfg := sdk.Config{
		BaseURL:            t.url.String(),
		Timeout:            w.Target.Timeout,
		CAFile:             w.Target.TLS.CAFile,
		InsecureSkipVerify: w.Target.TLS.InsecureSkipVerify,
		DisableHTTP2:       w.Target.HTTP2 == "off",
		Connections:        sdk.Connections(w.Target.Connections),
	}
	c, err := sdk.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("sdk: %w", err)
	}
	ic, err := ops.NewIronCore(c, t.issuer, shard.Index)
	if err != nil {
		c.Close()
		return nil, err
	}
	return ic, nil
}

// serviceFaults converts the workload's faults to the service's own type.
func serviceFaults(in []scenarios.Fault) []service.Fault {
	out := make([]service.Fault, 0, len(in))
	for _, f := range in {
		sf := service.Fault{
			Route:      f.Route,
			ErrorRate:  f.ErrorRate,
			Status:     f.Status,
			RetryAfter: f.RetryAfter,
			Reset:      f.Reset,
			Stall:      f.Stall,
			StallAfter: f.StallAfter,
		}
		if l := f.Latency; l != nil {
			sf.Latency = &service.Latency{Dist: l.Dist, Fixed: l.Fixed, Min: l.Min, Max: l.Max,
				Mean: l.Mean, StdDev: l.StdDev, Median: l.Median, P99: l.P99}
		}
		out = append(out, sf)
	}
	return out
}

// rawHTTPClient returns the client of the workload's http steps, with the
// target's TLS settings (ca_file, insecure_skip_verify) and http2, as the
// SDK ops get them.
func rawHTTPClient(w *scenarios.Workload) (*http.Client, error) {
	c := ops.NewHTTPClient(w.Target.Timeout, w.Target.TLS.InsecureSkipVerify)
	t, ok := c.Transport.(*http.Transport)
	if !ok {
		return c, nil
	}
	if f := w.Target.TLS.CAFile; f != "" {
		pem, err := capped.ReadFile(f, scenarios.MaxKeyFileSize, "a CA file")
		if err != nil {
			return nil, fmt.Errorf("%s: target.tls.ca_file: %w", w.File, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: target.tls.ca_file %s: no PEM certificates in it", w.File, f)
		}
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.RootCAs = pool
	}
	if w.Target.HTTP2 == "off" {
		t.ForceAttemptHTTP2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return c, nil
}
