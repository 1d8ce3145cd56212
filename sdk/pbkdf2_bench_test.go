package sdk

import (
	"context"
	stdpbkdf2 "crypto/pbkdf2"
	"crypto/sha256"
	"runtime"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/sdk/internal/pbkdf2"
)

// stdlibDeriveKey is deriveKey with crypto/pbkdf2, the implementation the
// SDK had before sdk/internal/pbkdf2.
func stdlibDeriveKey(password string, salt []byte) ([]byte, error) {
	return stdpbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
}

// BenchmarkPBKDF2 compares the master key's derivation (250,000
// iterations) by the SDK (loadgen) and by crypto/pbkdf2 (stdlib) on the
// same inputs with the lower bound, two raw SHA-256 compressions per
// iteration (bound). Each has its sub-benchmark; "interleaved" runs one of
// each per b.N in turn, timed by the thread's CPU clock, and reports their
// means (ms) and ratios from the same run, the figures to trust on a shared
// machine.
func BenchmarkPBKDF2(b *testing.B) {
	salt := []byte("0123456789abcdef0123456789abcdef")
	const password = "correct horse battery staple"
	got, err := deriveKey(password, salt)
	if err != nil {
		b.Fatal(err)
	}
	if want, _ := stdlibDeriveKey(password, salt); string(got) != string(want) {
		b.Fatalf("deriveKey = %x, crypto/pbkdf2 = %x", got, want)
	}
	impls := []struct {
		name string
		run  func()
	}{
		{"loadgen", func() { deriveKey(password, salt) }},
		{"stdlib", func() { stdlibDeriveKey(password, salt) }},
		{"bound", func() {
			var h [8]uint32
			var p [64]byte
			for range 2 * pbkdf2Iterations {
				pbkdf2.Compress(&h, &p)
			}
		}},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				impl.run()
			}
		})
	}
	b.Run("interleaved", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var cpu [3]time.Duration
		round := 0
		for b.Loop() {
			for j := range impls {
				k := (round + j) % len(impls)
				start := threadCPU()
				impls[k].run()
				cpu[k] += threadCPU() - start
			}
			round++
		}
		for k, impl := range impls {
			b.ReportMetric(cpu[k].Seconds()*1e3/float64(b.N), impl.name+"-ms")
		}
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "stdlib/loadgen")
		b.ReportMetric(float64(cpu[0])/float64(cpu[2]), "loadgen/bound")
	})
}

// BenchmarkOnboarding runs user_create and generate_device, the onboarding
// ops, against canned loopback responses, alternating between the SDK's
// PBKDF2 (loadgen) and crypto/pbkdf2 (stdlib) each b.N, and reports the
// ops a core does per second of process CPU time (the SDK's and the replay
// server's, which only writes canned bodies) with each, and their ratio.
func BenchmarkOnboarding(b *testing.B) {
	f := setupBench(b)
	ctx := context.Background()
	ops := []struct {
		name string
		run  func() error
	}{
		{"user_create", func() error {
			_, err := f.client.UserCreate(ctx, f.iss, "alice", "pw", UserCreateOptions{})
			return err
		}},
		{"generate_device", func() error {
			_, err := f.client.GenerateDevice(ctx, f.iss, "alice", "pw", DeviceOptions{})
			return err
		}},
	}
	impls := []struct {
		name string
		kdf  func(string, []byte) ([]byte, error)
	}{{"loadgen", deriveKey}, {"stdlib", stdlibDeriveKey}}
	defer func(kdf func(string, []byte) ([]byte, error)) { deriveKey = kdf }(deriveKey)
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			var cpu [2]time.Duration
			round := 0
			for b.Loop() {
				for j := range impls {
					k := (round + j) % len(impls)
					deriveKey = impls[k].kdf
					start := processCPU(b)
					if err := op.run(); err != nil {
						b.Fatal(err)
					}
					cpu[k] += processCPU(b) - start
				}
				round++
			}
			for k, impl := range impls {
				b.ReportMetric(float64(b.N)/cpu[k].Seconds(), impl.name+"-ops/core-s")
			}
			b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "speedup")
		})
	}
}
