package scenarios

// ParseRate parses a rate as the workload file writes it ("200/s", "30/m",
// "5/h") into iterations per second, for CLI flags such as --rate.
func ParseRate(s string) (float64, error) { return parseRate(s) }
