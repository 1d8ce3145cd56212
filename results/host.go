package results

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// HostInfo describes the machine this process runs on: the CPU model (from
// /proc/cpuinfo, else the architecture), GOMAXPROCS and the kernel (from
// /proc/sys/kernel/osrelease, else the OS name).
func HostInfo() Host {
	h := Host{CPU: runtime.GOARCH, GOMAXPROCS: runtime.GOMAXPROCS(0), Kernel: runtime.GOOS}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		h.Kernel = runtime.GOOS + " " + strings.TrimSpace(string(b))
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				h.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return h
}
