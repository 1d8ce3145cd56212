package ops

import (
	"testing"
	"time"
)

func TestEstimate(t *testing.T) {
	c := Calibration{PBKDF2: 100 * time.Millisecond, KeyGen: time.Millisecond, Encrypt: 2 * time.Millisecond,
		Decrypt: 3 * time.Millisecond, TransformKey: 5 * time.Millisecond}
	tests := []struct {
		op   string
		args Args
		want time.Duration
	}{
		{"user_create", nil, 101 * time.Millisecond},
		{"generate_device", nil, 106 * time.Millisecond},
		{"group_create", Args{"members": int64(2), "admins": int64(1)}, (1 + 2*2 + 3*5) * time.Millisecond},
		{"group_add_members", Args{"users": int64(3)}, (3 + 3*5) * time.Millisecond},
		{"group_add_admins", nil, (3 + 2) * time.Millisecond},
		{"document_encrypt", Args{"users": int64(2), "groups": int64(1)}, (2 + 4*2) * time.Millisecond},
		{"document_decrypt", nil, 3 * time.Millisecond},
		{"document_grant", Args{"users": int64(2)}, (3 + 2*2) * time.Millisecond},
		{"user_verify", nil, 0},
		{"http", nil, 0},
	}
	for _, tt := range tests {
		if got := c.Estimate(tt.op, tt.args); got != tt.want {
			t.Errorf("Estimate(%s, %v) = %s, want %s", tt.op, tt.args, got, tt.want)
		}
	}
}

func TestCalibrate(t *testing.T) {
	c, err := Calibrate()
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]time.Duration{"PBKDF2": c.PBKDF2, "KeyGen": c.KeyGen, "Encrypt": c.Encrypt, "Decrypt": c.Decrypt, "TransformKey": c.TransformKey} {
		if d <= 0 {
			t.Errorf("%s not measured", name)
		}
	}
}
