//go:build !amd64 || purego

package field

func mul(z, x, y *Element) { mulGeneric(z, x, y) }

func add(z, x, y *Element) { addGeneric(z, x, y) }

func sub(z, x, y *Element) { subGeneric(z, x, y) }

func addE2(z, x, y *E2) {
	addGeneric(&z.C0, &x.C0, &y.C0)
	addGeneric(&z.C1, &x.C1, &y.C1)
}

func subE2(z, x, y *E2) {
	subGeneric(&z.C0, &x.C0, &y.C0)
	subGeneric(&z.C1, &x.C1, &y.C1)
}

func mulE2(z, x, y *E2) { mulE2Generic(z, x, y) }

func squareE2(z, x *E2) { squareE2Generic(z, x) }

func mulByXi(z, x *E2) { mulByXiGeneric(z, x) }

func threeMinusTwoE2(r, a, c *E2) { threeMinusTwoGeneric(r, a, c) }

func threePlusTwoE2(r, a, c *E2) { threePlusTwoGeneric(r, a, c) }

func fp4SquareTail(rx, ry, a2, b2, s2 *E2) { fp4SquareTailGeneric(rx, ry, a2, b2, s2) }

func xiSubSubAddE2(z, m, a, b, c *E2) { xiSubSubAddGeneric(z, m, a, b, c) }

func subSubAddXiE2(z, m, a, b, c *E2) { subSubAddXiGeneric(z, m, a, b, c) }

func subSubAddE2(z, m, a, b, c *E2) { subSubAddGeneric(z, m, a, b, c) }
