package service

import (
	"io"
	"net/http"
)

// healthBody is the constant answer of the health route.
const healthBody = `{"status":"ok"}`

// routes mounts every route on the server's mux.
func (s *Server) routes() {
	health := s.withFaults("GET /health", http.HandlerFunc(serveHealth))
	s.mount("GET /health", "GET /health", health)
	s.mount("GET /health", "GET "+apiPrefix+"health", health)
	s.mount("GET /admin/faults", "GET /admin/faults", loopbackOnly(http.HandlerFunc(s.serveGetFaults)))
	s.mount("PUT /admin/faults", "PUT /admin/faults", loopbackOnly(http.HandlerFunc(s.servePutFaults)))
}

// serveHealth answers 200 {"status":"ok"}.
func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, healthBody)
}
