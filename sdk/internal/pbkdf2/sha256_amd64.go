//go:build amd64 && !purego

package pbkdf2

import "golang.org/x/sys/cpu"

// sha256_amd64.s compresses with the SHA extensions (SHA256RNDS2,
// SHA256MSG1, SHA256MSG2), four rounds per step, with the state held as
// ABEF/CDGH as those instructions want it. blockSHANI is one compression of
// a byte block; iterSHANI is iterateGeneric's whole loop with the pad
// states, u and t in registers: the previous digest's words are the next
// block's message words as they are, so no byte swapping, and the blocks'
// fixed padding words are constants.

// accelerated reports whether the CPU has the SHA extensions and the SSSE3
// and SSE4.1 instructions the assembly also uses. It is set once at
// start-up and never changed.
var accelerated = hasSHA() && cpu.X86.HasSSSE3 && cpu.X86.HasSSE41

// hasSHA reports CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29].
func hasSHA() bool {
	if max, _, _, _ := cpuid(0, 0); max < 7 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&(1<<29) != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

//go:noescape
func blockSHANI(h *[8]uint32, p *[blockSize]byte)

//go:noescape
func iterSHANI(ist, ost, u, t *[8]uint32, n int)

func block(h *[8]uint32, p *[blockSize]byte) {
	if accelerated {
		blockSHANI(h, p)
		return
	}
	blockGeneric(h, p)
}

func iterate(ist, ost, u, t *[8]uint32, n int) {
	if accelerated {
		iterSHANI(ist, ost, u, t, n)
		return
	}
	iterateGeneric(ist, ost, u, t, n)
}
