package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// dashboardServer is --dashboard: bound before setup, so a bad address
// fails before anything is made, and served from the run's start to its
// end. The page, /events and /summary.json are results.Dashboard's.
type dashboardServer struct {
	ln   net.Listener
	srv  *http.Server
	dash *results.Dashboard
	done chan struct{}
}

// checkDashboardAddr checks --dashboard: HOST:PORT, and a loopback host
// unless expose (--dashboard-expose), since the dashboard shows the run's
// figures to whoever reaches it, without authentication.
func checkDashboardAddr(addr string, expose bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--dashboard %q: want HOST:PORT, e.g. 127.0.0.1:8089", addr)}
	}
	if !expose && !isLoopback(host) {
		return &exitError{code: exitUsage, err: fmt.Errorf(
			"--dashboard %q: not a loopback address; the dashboard has no login, so serving it beyond this machine takes --dashboard-expose (or use 127.0.0.1:PORT and kubectl port-forward or ssh -L)", addr)}
	}
	return nil
}

// listenDashboard checks and binds addr (see checkDashboardAddr) and says
// where it bound.
func listenDashboard(st *state, addr string, expose bool) (*dashboardServer, error) {
	if err := checkDashboardAddr(addr, expose); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("--dashboard %q: %w", addr, err)}
	}
	fmt.Fprintf(st.stderr, "loadgen: dashboard at http://%s/\n", ln.Addr())
	return &dashboardServer{ln: ln}, nil
}

// isLoopback reports whether host names this machine only: localhost or a
// loopback IP ("" is every interface).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serve starts serving rec's dashboard.
func (d *dashboardServer) serve(rec *results.Recorder) {
	d.dash = results.NewDashboard(rec)
	// No write timeout: /events streams for the whole run.
	d.srv = &http.Server{Handler: d.dash, ReadHeaderTimeout: 10 * time.Second}
	d.done = make(chan struct{})
	go func() {
		defer close(d.done)
		d.srv.Serve(d.ln)
	}()
}

// close ends the event streams and stops serving (or closes the listener
// of a run that never started).
func (d *dashboardServer) close() {
	if d.srv == nil {
		d.ln.Close()
		return
	}
	d.dash.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if d.srv.Shutdown(ctx) != nil {
		d.srv.Close()
	}
	<-d.done
}
