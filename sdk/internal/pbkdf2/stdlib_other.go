//go:build !amd64 && !purego

package pbkdf2

// Off amd64, Key is crypto/pbkdf2's: the standard library's SHA-256 uses
// those CPUs' own SHA instructions (arm64, s390x, ...), which the portable
// compression here would lose to; -tags purego runs the portable code
// anywhere.
const useStdlib = true
