package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/ironcorelabs/loadgen/metrics"
)

// checkMetricsAddr checks --metrics-addr's form, HOST:PORT with a port
// number, so run --dry-run refuses what run's bind would.
func checkMetricsAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return &exitError{code: exitUsage, err: fmt.Errorf("--metrics-addr %q: want HOST:PORT with a port of 0 to 65535, e.g. 127.0.0.1:9090", addr)}
	}
	return nil
}

// listenMetrics binds --metrics-addr before the run starts anything, and
// says where it bound (the port of ":0", every interface of ":9090").
func listenMetrics(st *state, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("--metrics-addr %q: %w", addr, err)}
	}
	where := ln.Addr().String()
	if h, _, _ := net.SplitHostPort(addr); h == "" {
		where += " (every interface; give 127.0.0.1:PORT for this machine only)"
	}
	fmt.Fprintf(st.stderr, "loadgen: metrics at http://%s/metrics\n", where)
	return ln, nil
}

// serveMetrics serves the exporter on ln at /metrics until the returned
// stop is called.
func serveMetrics(ln net.Listener, exp *metrics.Exporter) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", exp.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}
}
