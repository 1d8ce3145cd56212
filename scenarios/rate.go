package scenarios

// ParseRate parses a rate as the workload file writes it ("200/s", "30/m",
// "5/h", or a bare number per second) into iterations per second, for CLI
// flags such as --rate. Negative, NaN and infinite rates are errors.
func ParseRate(s string) (float64, error) { return parseRate(s) }
