//go:build !amd64 || purego

package pbkdf2

const accelerated = false

func block(h *[8]uint32, p *[blockSize]byte) { blockGeneric(h, p) }

func iterate(ist, ost, u, t *[8]uint32, n int) { iterateGeneric(ist, ost, u, t, n) }
