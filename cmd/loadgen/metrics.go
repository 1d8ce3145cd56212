package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ironcorelabs/loadgen/metrics"
)

// serveMetrics serves the exporter at http://addr/metrics until the
// returned stop is called.
func serveMetrics(addr string, exp *metrics.Exporter) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %q: %w", addr, err)
	}
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
	}, nil
}
