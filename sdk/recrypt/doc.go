// Package recrypt implements IronCore Labs' transform encryption (proxy
// re-encryption) byte-compatibly with recrypt-rs's 256-bit API.
//
// A plaintext is a random element of the pairing group GT (384 bytes); its
// SHA-256 is the symmetric key that actually encrypts data. Encrypt seals a
// plaintext to a public key; a transform key lets a proxy turn a value
// encrypted to one key into a value for another without learning the
// plaintext; Transform does so, any number of times (multi-hop); Decrypt
// opens the result. Every encrypted value and transform key carries an
// Ed25519 signature, and Schnorr signatures on G1 sign API requests.
//
// The arithmetic is this package's own (internal/field, internal/curve):
// a BN curve over a 256-bit prime with an optimal ate pairing and the exact
// final exponentiation recrypt uses. Operations on private keys and other
// secrets run in constant time; functions whose time depends on their inputs
// are named VarTime.
//
// Randomness comes from the io.Reader given to New, in the order recrypt-rs
// draws it, so a fixed reader reproduces recrypt's outputs. A Recrypt is safe
// for concurrent use.
//
// This package is for interoperating with IronCore's platform. It has not been
// audited; do not use it to protect anything else.
package recrypt
