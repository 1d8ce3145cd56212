package service

import (
	"io"
	"net/http"
)

// healthBody is the constant answer of the health route.
const healthBody = `{"status":"ok"}`

// routes mounts every route on the server's mux. Route names are "METHOD /path" relative to
// /api/1 (spec §6.0 numbers in comments).
func (s *Server) routes() {
	health := s.withFaults("GET /health", http.HandlerFunc(serveHealth))
	s.mount("GET /health", "GET /health", health)
	s.mount("GET /health", "GET "+apiPrefix+"health", health)
	s.mount("GET /admin/faults", "GET /admin/faults", loopbackOnly(http.HandlerFunc(s.serveGetFaults)))
	s.mount("PUT /admin/faults", "PUT /admin/faults", loopbackOnly(http.HandlerFunc(s.servePutFaults)))
	s.mount("GET /admin/stats", "GET /admin/stats", loopbackOnly(http.HandlerFunc(s.serveGetStats)))

	jwt, dev := s.withJWT, s.withDevice
	s.handle("GET", "/users/verify", jwt(s.serveUserVerify))                           // #1
	s.handle("POST", "/users", jwt(s.serveUserCreate))                                 // #2
	s.handle("POST", "/users/devices", jwt(s.serveDeviceAdd))                          // #3
	s.handle("PUT", "/users/{userID}", s.serveUserUpdate)                              // #4 (JWT), #9 (device)
	s.handle("GET", "/users/current", dev(s.serveCurrentUser))                         // #5
	s.handle("GET", "/users", dev(s.serveUserKeys))                                    // #6
	s.handle("GET", "/users/{userID}/devices", dev(s.serveDeviceList))                 // #7
	s.handle("DELETE", "/users/{userID}/devices/{deviceID}", dev(s.serveDeviceDelete)) // #8
	s.handle("DELETE", "/users/{userID}/devices/current", dev(s.serveDeviceDelete))    // #8
	s.handle("PUT", "/users/{userID}/keys/{keyID}", dev(s.serveUserKeyRotate))         // #10
	s.handle("POST", "/groups", dev(s.serveGroupCreate))                               // #11
	s.handle("GET", "/groups", dev(s.serveGroupList))                                  // #12, #13
	s.handle("GET", "/groups/{groupID}", dev(s.serveGroupGet))                         // #14
	s.handle("PUT", "/groups/{groupID}", dev(s.serveGroupUpdate))                      // #15
	s.handle("DELETE", "/groups/{groupID}", dev(s.serveGroupDelete))                   // #16
	s.handle("POST", "/groups/{groupID}/users", dev(s.serveGroupAddMembers))           // #17
	s.handle("POST", "/groups/{groupID}/admins", dev(s.serveGroupAddAdmins))           // #18
	s.handle("DELETE", "/groups/{groupID}/users", dev(s.serveGroupRemove(false)))      // #19
	s.handle("DELETE", "/groups/{groupID}/admins", dev(s.serveGroupRemove(true)))      // #20
	s.handle("PUT", "/groups/{groupID}/keys/{keyID}", dev(s.serveGroupKeyRotate))      // #21
	s.handle("POST", "/documents", dev(s.serveDocumentCreate))                         // #22
	s.handle("GET", "/documents", dev(s.serveDocumentList))                            // #23
	s.handle("GET", "/documents/{documentID}", dev(s.serveDocumentGet))                // #24
	s.handle("PUT", "/documents/{documentID}", dev(s.serveDocumentUpdate))             // #25
	s.handle("POST", "/documents/{documentID}/access", dev(s.serveDocumentGrant))      // #26
	s.handle("DELETE", "/documents/{documentID}/access", dev(s.serveDocumentRevoke))   // #27
	s.handle("GET", "/policies", dev(s.servePolicy))
	s.handle("POST", "/edeks/transform", dev(s.serveEdeksTransform)) // #28
}

// serveHealth answers 200 {"status":"ok"}.
func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, healthBody)
}
