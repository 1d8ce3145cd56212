//go:build amd64 && !purego

#include "textflag.h"

// SHA-256 with the SHA extensions. Registers:
//   X0       message words + round constants (SHA256RNDS2 reads X0)
//   X1, X2   the state as ABEF and CDGH (A in the high dword of X1)
//   X3..X6   message words W[4j..4j+3], j mod 4 (W[4j] in the low dword)
//   X7       scratch
// blockSHANI also uses X8 (byte-swap mask) and X9, X10 (the state before
// the block); iterSHANI keeps the inner pad state in X8, X9, the outer in
// X10, X11, t in X12, X13 and uses X14 as scratch.

// RND4 runs rounds 4j..4j+3 with message words m.
#define RND4(m, j) \
	MOVOU k256<>+(16*j)(SB), X0; \
	PADDD m, X0; \
	SHA256RNDS2 X0, X1, X2; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// RND4S runs rounds 4j..4j+3 with message words cur while finishing the
// schedule of the next four words (into next, from prev and cur).
#define RND4S(cur, prev, next, j) \
	MOVOU k256<>+(16*j)(SB), X0; \
	PADDD cur, X0; \
	SHA256RNDS2 X0, X1, X2; \
	MOVO cur, X7; \
	PALIGNR $4, prev, X7; \
	PADDD X7, next; \
	SHA256MSG2 cur, next; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// ROUNDS runs the 64 rounds on X1, X2 with message words X3..X6, which it
// overwrites with the schedule.
#define ROUNDS \
	RND4(X3, 0); \
	RND4(X4, 1); SHA256MSG1 X4, X3; \
	RND4(X5, 2); SHA256MSG1 X5, X4; \
	RND4S(X6, X5, X3, 3); SHA256MSG1 X6, X5; \
	RND4S(X3, X6, X4, 4); SHA256MSG1 X3, X6; \
	RND4S(X4, X3, X5, 5); SHA256MSG1 X4, X3; \
	RND4S(X5, X4, X6, 6); SHA256MSG1 X5, X4; \
	RND4S(X6, X5, X3, 7); SHA256MSG1 X6, X5; \
	RND4S(X3, X6, X4, 8); SHA256MSG1 X3, X6; \
	RND4S(X4, X3, X5, 9); SHA256MSG1 X4, X3; \
	RND4S(X5, X4, X6, 10); SHA256MSG1 X5, X4; \
	RND4S(X6, X5, X3, 11); SHA256MSG1 X6, X5; \
	RND4S(X3, X6, X4, 12); SHA256MSG1 X3, X6; \
	RND4S(X4, X3, X5, 13); \
	RND4S(X5, X4, X6, 14); \
	RND4(X6, 15)

// LOADSTATE loads the state words h[0..7] at ptr as ABEF into s0 and
// CDGH into s1.
#define LOADSTATE(ptr, s0, s1) \
	MOVOU (ptr), s0; \
	MOVOU 16(ptr), s1; \
	PSHUFD $0xb1, s0, s0; \
	PSHUFD $0x1b, s1, s1; \
	MOVO s0, X7; \
	PALIGNR $8, s1, s0; \
	PBLENDW $0xf0, X7, s1

// WORDS turns the state in X1 (ABEF) and X2 (CDGH) into its words in
// order, h[0..3] into X3 and h[4..7] into X4: the message words of the
// next block.
#define WORDS \
	PSHUFD $0x1b, X1, X3; \
	PSHUFD $0x1b, X2, X4; \
	MOVO X3, X7; \
	PUNPCKLQDQ X4, X3; \
	PUNPCKHQDQ X4, X7; \
	MOVO X7, X4

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func blockSHANI(h *[8]uint32, p *[64]byte)
TEXT ·blockSHANI(SB), NOSPLIT, $0-16
	MOVQ h+0(FP), DI
	MOVQ p+8(FP), SI
	LOADSTATE(DI, X1, X2)
	MOVO X1, X9
	MOVO X2, X10
	MOVOU bswap<>(SB), X8
	MOVOU (SI), X3
	PSHUFB X8, X3
	MOVOU 16(SI), X4
	PSHUFB X8, X4
	MOVOU 32(SI), X5
	PSHUFB X8, X5
	MOVOU 48(SI), X6
	PSHUFB X8, X6
	ROUNDS
	PADDD X9, X1
	PADDD X10, X2
	WORDS
	MOVOU X3, (DI)
	MOVOU X4, 16(DI)
	RET

// func iterSHANI(ist, ost, u, t *[8]uint32, n int)
TEXT ·iterSHANI(SB), NOSPLIT, $0-40
	MOVQ ist+0(FP), AX
	MOVQ ost+8(FP), BX
	MOVQ u+16(FP), SI
	MOVQ t+24(FP), DI
	MOVQ n+32(FP), CX
	TESTQ CX, CX
	JLE done
	LOADSTATE(AX, X8, X9)
	LOADSTATE(BX, X10, X11)
	MOVOU (SI), X3
	MOVOU 16(SI), X4
	MOVOU (DI), X12
	MOVOU 16(DI), X13

loop:
	// Inner: u, 0x80, zeros, bit length 768, from the inner pad state.
	MOVO X8, X1
	MOVO X9, X2
	MOVOU pad<>+0(SB), X5
	MOVOU pad<>+16(SB), X6
	ROUNDS
	PADDD X8, X1
	PADDD X9, X2
	WORDS

	// Outer: the inner digest, padded the same way, from the outer pad state.
	MOVO X10, X1
	MOVO X11, X2
	MOVOU pad<>+0(SB), X5
	MOVOU pad<>+16(SB), X6
	ROUNDS
	PADDD X10, X1
	PADDD X11, X2
	WORDS
	PXOR X3, X12
	PXOR X4, X13
	DECQ CX
	JNZ loop

	MOVOU X3, (SI)
	MOVOU X4, 16(SI)
	MOVOU X12, (DI)
	MOVOU X13, 16(DI)

done:
	RET

// bswap is the PSHUFB mask that turns big-endian bytes into dwords.
DATA bswap<>+0x00(SB)/8, $0x0405060700010203
DATA bswap<>+0x08(SB)/8, $0x0c0d0e0f08090a0b
GLOBL bswap<>(SB), RODATA|NOPTR, $16

// pad is message words 8..15 of a 32-byte message after a 64-byte block.
DATA pad<>+0x00(SB)/8, $0x0000000080000000
DATA pad<>+0x08(SB)/8, $0x0000000000000000
DATA pad<>+0x10(SB)/8, $0x0000000000000000
DATA pad<>+0x18(SB)/8, $0x0000030000000000
GLOBL pad<>(SB), RODATA|NOPTR, $32

// k256 is SHA-256's round constants.
DATA k256<>+0x00(SB)/8, $0x71374491428a2f98
DATA k256<>+0x08(SB)/8, $0xe9b5dba5b5c0fbcf
DATA k256<>+0x10(SB)/8, $0x59f111f13956c25b
DATA k256<>+0x18(SB)/8, $0xab1c5ed5923f82a4
DATA k256<>+0x20(SB)/8, $0x12835b01d807aa98
DATA k256<>+0x28(SB)/8, $0x550c7dc3243185be
DATA k256<>+0x30(SB)/8, $0x80deb1fe72be5d74
DATA k256<>+0x38(SB)/8, $0xc19bf1749bdc06a7
DATA k256<>+0x40(SB)/8, $0xefbe4786e49b69c1
DATA k256<>+0x48(SB)/8, $0x240ca1cc0fc19dc6
DATA k256<>+0x50(SB)/8, $0x4a7484aa2de92c6f
DATA k256<>+0x58(SB)/8, $0x76f988da5cb0a9dc
DATA k256<>+0x60(SB)/8, $0xa831c66d983e5152
DATA k256<>+0x68(SB)/8, $0xbf597fc7b00327c8
DATA k256<>+0x70(SB)/8, $0xd5a79147c6e00bf3
DATA k256<>+0x78(SB)/8, $0x1429296706ca6351
DATA k256<>+0x80(SB)/8, $0x2e1b213827b70a85
DATA k256<>+0x88(SB)/8, $0x53380d134d2c6dfc
DATA k256<>+0x90(SB)/8, $0x766a0abb650a7354
DATA k256<>+0x98(SB)/8, $0x92722c8581c2c92e
DATA k256<>+0xa0(SB)/8, $0xa81a664ba2bfe8a1
DATA k256<>+0xa8(SB)/8, $0xc76c51a3c24b8b70
DATA k256<>+0xb0(SB)/8, $0xd6990624d192e819
DATA k256<>+0xb8(SB)/8, $0x106aa070f40e3585
DATA k256<>+0xc0(SB)/8, $0x1e376c0819a4c116
DATA k256<>+0xc8(SB)/8, $0x34b0bcb52748774c
DATA k256<>+0xd0(SB)/8, $0x4ed8aa4a391c0cb3
DATA k256<>+0xd8(SB)/8, $0x682e6ff35b9cca4f
DATA k256<>+0xe0(SB)/8, $0x78a5636f748f82ee
DATA k256<>+0xe8(SB)/8, $0x8cc7020884c87814
DATA k256<>+0xf0(SB)/8, $0xa4506ceb90befffa
DATA k256<>+0xf8(SB)/8, $0xc67178f2bef9a3f7
GLOBL k256<>(SB), RODATA|NOPTR, $256
