package field

// Frobenius constants in Montgomery form (recrypt spec §1.5).
var (
	// gamma1 is ξ^((p−1)/3).
	gamma1 = E2{C0: Element{l: [4]uint64{0xf8606916d3816f2c, 0x1e5c0d7926de927e, 0xbc45f3946d81185e, 0x80752a25aa738091}}, C1: Element{l: [4]uint64{0x4f59e37c01832e57, 0xae6be39ac2bbbfe4, 0xe04ea1bb697512f8, 0x3097caa8fc40e10e}}}
	// gamma2 is ξ^(2(p−1)/3).
	gamma2 = E2{C0: Element{l: [4]uint64{0x4d2ea218872f3d2c, 0x2fcb27fc4abe7b69, 0xd31d972f0e88ced9, 0x53adc04a00a73b15}}, C1: Element{l: [4]uint64{0x51678e7469b3c52a, 0x4fb98f8b13319fc9, 0x29b2254db3f1df75, 0x1c044935a3d22fb2}}}
	// gammaW is ξ^((p−1)/6).
	gammaW = E2{C0: Element{l: [4]uint64{0x7407634dd9cca958, 0x36d5bd6c7afb8f26, 0xf4b1c32cebd880fa, 0x06aa7869306f455f}}, C1: Element{l: [4]uint64{0x25af52988477cdb7, 0x3d81a455ddced86a, 0x227d012e872c2431, 0x0179198d3ea65d05}}}
	// gamma3 is ξ^((p−1)/2).
	gamma3 = E2{C0: Element{l: [4]uint64{0x18dbee03fb7708fa, 0x1e7601a602c843c7, 0x5dde0688cdb231cb, 0x86db5cf2c605a524}}, C1: Element{l: [4]uint64{0x19da71333653ee20, 0x7eaaf34fc6ed6019, 0xc4ba3a29a60cdd1d, 0x75281311bcc9df79}}}
)

// frobP[k] is ξ^(k(p−1)/6) and frobP2[k] is ξ^(k(p²−1)/6) = N(frobP[k]),
// an element of Fp, for k = 1..5: the factors of E12.Frobenius and
// E12.FrobeniusSquare on the coefficient of wᵏ.
var frobP, frobP2 = frobeniusConstants()

func frobeniusConstants() (fp [6]E2, fp2 [6]Element) {
	fp[0].One()
	fp[1], fp[2], fp[3], fp[4] = gammaW, gamma1, gamma3, gamma2
	fp[5].Mul(&gammaW, &gamma2)
	for k := range fp {
		var c, n E2
		c.Conjugate(&fp[k])
		n.Mul(&fp[k], &c)
		fp2[k] = n.C0
	}
	return fp, fp2
}

// Gamma1 returns ξ^((p−1)/3), the factor of the twist Frobenius on x.
func Gamma1() E2 { return gamma1 }

// Gamma3 returns ξ^((p−1)/2), the factor of the twist Frobenius on y.
func Gamma3() E2 { return gamma3 }

// Twist constants in Montgomery form (recrypt spec §1.4).
var (
	// twistB is b' = 3/ξ.
	twistB = E2{C0: Element{l: [4]uint64{0xb94f760fb4c5ee14, 0xdae9f8f24c3b6eb4, 0x77a675d2e52f4fe4, 0x736f31b09116c66b}}, C1: Element{l: [4]uint64{0x75046774386b8d71, 0x5bd0854a46d36cf8, 0x664327a1d41c8414, 0x096c9abb932eeb2f}}}
	// twistB3 is 3b' = 9/ξ.
	twistB3 = E2{C0: Element{l: [4]uint64{0xfb35095662409d6e, 0xb406d934a346e0e1, 0x12138807ec84376a, 0x3ae3914b1dfd434f}}, C1: Element{l: [4]uint64{0x5f0d365ca942a853, 0x13718fded47a46e9, 0x32c976e57c558c3d, 0x1c45d032b98cc18e}}}
	// nine is 9, which is 3b for E: y² = x³ + 3.
	nine = Element{l: [4]uint64{0x7a35393a1f769990, 0x1a4772edf4a4a61e, 0x59013479e7b23de1, 0x04afe1cb55c78065}}
	// three is 3, the constant b of E.
	three = Element{l: [4]uint64{0x8630a1e229d50ffd, 0x583653ea5c7373e9, 0xabd060661867b356, 0x3176f68f8ace581f}}
)

// TwistB returns b' = 3/ξ, the constant of the twist y² = x³ + b'.
func TwistB() E2 { return twistB }

// TwistB3 returns 3b' = 9/ξ.
func TwistB3() E2 { return twistB3 }

// Nine returns 9 = 3b for the curve y² = x³ + 3.
func Nine() Element { return nine }

// Three returns 3, the constant b of the curve y² = x³ + 3.
func Three() Element { return three }
