package sdk

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestDeviceContextJSON(t *testing.T) {
	t.Parallel()
	dc := goldenDevice()
	dc.DeviceID = 42
	b, err := json.Marshal(dc)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"accountId":"abcABC012_.$#|@/:;=+'-d1226d1b-4c39-49da-933c-642e23ac1945","segmentId":1682,` +
		`"signingPrivateKey":"JtqNdfg6H7sRt6MxbUIJhINNxB91Dz0dq3exH9uk2t3Gyp/6iIGlA8Ovr2Nv5O8rExJ2dgBOvuKA01H+4DXC3A==",` +
		`"devicePrivateKey":"7SYgmoO2XIY5tVtE/iETZBzgf/KgO/q2sXdSxjoQ3QM=","deviceId":42}`
	if string(b) != want {
		t.Errorf("json\n got %s\nwant %s", b, want)
	}
	var back DeviceContext
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.String() != dc.String() || string(back.SigningPrivateKey) != string(dc.SigningPrivateKey) || string(back.DevicePrivateKey) != string(dc.DevicePrivateKey) {
		t.Errorf("round trip: %v", back)
	}
	// ironoxide's own file shape, without deviceId.
	var plain DeviceContext
	if err := json.Unmarshal([]byte(strings.Replace(want, `,"deviceId":42`, `,"extra":true`, 1)), &plain); err != nil || plain.DeviceID != 0 {
		t.Errorf("ironoxide shape: %v %v", plain, err)
	}
	for _, s := range []string{fmt.Sprint(dc), fmt.Sprintf("%+v", dc), fmt.Sprintf("%#v", dc), fmt.Sprintf("%v", &dc)} {
		if strings.Contains(s, "JtqN") || strings.Contains(s, "7SYgmo") || strings.Contains(s, "[") {
			t.Errorf("formatting leaks a key: %s", s)
		}
	}
}

func TestDeviceContextInvalid(t *testing.T) {
	t.Parallel()
	good := goldenDevice()
	bad := map[string]func(d *DeviceContext){
		"short signing key": func(d *DeviceContext) { d.SigningPrivateKey = d.SigningPrivateKey[:63] },
		"mismatched public": func(d *DeviceContext) {
			k := append([]byte(nil), d.SigningPrivateKey...)
			k[40] ^= 1
			d.SigningPrivateKey = k
		},
		"short device key":   func(d *DeviceContext) { d.DevicePrivateKey = d.DevicePrivateKey[:31] },
		"invalid account id": func(d *DeviceContext) { d.AccountID = "no spaces" },
	}
	for name, f := range bad {
		d := good
		f(&d)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back DeviceContext
		if err := json.Unmarshal(b, &back); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "JtqN") {
			t.Errorf("%s: error leaks the key: %v", name, err)
		}
	}
}
