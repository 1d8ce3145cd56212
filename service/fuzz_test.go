package service

import (
	"net/http/httptest"
	"testing"
)

// FuzzDeviceAuthHeaders checks that no Authorization or user-context header, however malformed,
// panics or authenticates a request to an empty store.
func FuzzDeviceAuthHeaders(f *testing.F) {
	f.Add("IronCore 2.CzATu+yKHO9edYZ6L27EXE4jKlk9p9hBhQsTJjj5ENFk2VhMfLp1ADKfaDQ/Q6u/Q7yHawq9L5Y1BFivdUYSCQ==",
		"123456,1,user-10,xsqf+oiBpQPDr69jb+TvKxMSdnYATr7igNNR/uA1wtw=", "")
	f.Add("IronCore 1.eyJ0cyI6MX0=.AAAA", "", "")
	f.Add("IronCore 2.", ",,,", "")
	f.Add("jwt a.b.c", "", "")
	s, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, auth, uc, sig string) {
		r := httptest.NewRequest("GET", "/api/1/users/current", nil)
		r.Header.Set("Authorization", auth)
		r.Header.Set(headerUserContext, uc)
		r.Header.Set(headerRequestSig, sig)
		if c, err := s.authDevice(r, nil); err == nil {
			t.Fatalf("authenticated %+v against an empty store", c)
		}
	})
}

// FuzzDecodeFaults checks that DecodeFaults never panics and that SetFaults never accepts what
// ValidateFaults rejects.
func FuzzDecodeFaults(f *testing.F) {
	f.Add(`[{"route":"*","latency":{"dist":"lognormal","median":"1ms","p99":"9ms"},"error_rate":0.5}]`)
	f.Add(`[{"route":"GET /health","stall":1000,"stall_after":"1s"}]`)
	f.Add(`[]`)
	s, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		faults, err := DecodeFaults([]byte(data))
		if err != nil {
			return
		}
		if s.SetFaults(faults) == nil && ValidateFaults(faults, nil) != nil {
			t.Fatalf("SetFaults accepted faults ValidateFaults rejects: %s", data)
		}
	})
}
