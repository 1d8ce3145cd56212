//go:build amd64 || purego

package pbkdf2

// On amd64, and with -tags purego anywhere, Key runs its own loop.
const useStdlib = false
