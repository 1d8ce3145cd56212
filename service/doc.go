// Package service is a reference implementation of the IronCore privacy-platform web service,
// written for load testing: the same HTTP API the SDKs speak (mounted under /api/1/), real
// verification of JWTs and device signatures, real transforms of encrypted keys, in-memory
// storage bounded by configuration, and a fault layer that injects latency, errors, connection
// resets and stalls per route.
//
// A document grant never replaces a key already stored for a user or group: an already-granted
// grantee is reported as succeeded and keeps its key (see README.md, "Endpoints").
//
// It is a test double, not a product: nothing it stores survives the process, and it should not
// be exposed beyond the loopback interface.
package service
