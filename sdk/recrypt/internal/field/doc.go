// Package field implements arithmetic in the prime field Fp used by recrypt's
// 256-bit curve, and in its extension tower Fp2, Fp6 and Fp12.
//
// The prime is
//
//	p = 0x8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e089667
//
// (36t⁴+36t³+24t²+6t+1 for the BN parameter t = 1868033³). The tower is
// Fp2 = Fp[u]/(u²+1), Fp6 = Fp2[v]/(v³−ξ) with ξ = u+3, and
// Fp12 = Fp6[w]/(w²−v).
//
// Every type follows the math/big convention: z.Op(x, y) sets z to the result
// and returns z, and all arguments may alias each other and the receiver.
// Values are fixed-size and never allocate. The zero value of every type is
// the field element 0. Unless a function's name starts with VarTime, its
// execution time does not depend on the values of its arguments.
//
// This package is internal: it offers no protection against misuse, and
// callers outside recrypt should not use it.
package field
