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

// Gamma1 returns ξ^((p−1)/3), the factor of the twist Frobenius on x.
func Gamma1() E2 { return gamma1 }

// Gamma3 returns ξ^((p−1)/2), the factor of the twist Frobenius on y.
func Gamma3() E2 { return gamma3 }
