package recryptoracle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

func TestBytesHex(t *testing.T) {
	b, err := json.Marshal(Bytes{0x00, 0xab, 0xff})
	if err != nil || string(b) != `"00abff"` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var h Bytes
	if err := json.Unmarshal([]byte(`"00ABfF"`), &h); err != nil || !bytes.Equal(h, []byte{0, 0xab, 0xff}) {
		t.Fatalf("unmarshal upper case: %x %v", h, err)
	}
	for _, bad := range []string{`"0"`, `"zz"`, `"0x00"`} {
		if err := json.Unmarshal([]byte(bad), &h); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
}

// values returns a recrypt encrypted value transformed once, its untransformed form, the
// transform key and the signer, all made by sdk/recrypt.
func values(t *testing.T) (ev0, ev1 recrypt.EncryptedValue, tk recrypt.TransformKey, signer recrypt.SigningKeypair, skB recrypt.PrivateKey, pt recrypt.Plaintext) {
	t.Helper()
	r := recrypt.New(nil)
	skA, pkA, err := r.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	skB, pkB, err := r.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if signer, err = r.GenerateEd25519KeyPair(); err != nil {
		t.Fatal(err)
	}
	if pt, err = r.GeneratePlaintext(); err != nil {
		t.Fatal(err)
	}
	if ev0, err = r.Encrypt(pt, pkA, signer); err != nil {
		t.Fatal(err)
	}
	if tk, err = r.GenerateTransformKey(skA, pkB, signer); err != nil {
		t.Fatal(err)
	}
	if ev1, err = r.Transform(ev0, tk, signer); err != nil {
		t.Fatal(err)
	}
	return ev0, ev1, tk, signer, skB, pt
}

// jsonKeys returns the sorted keys of the JSON object m[path...].
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestConversions: recrypt values survive From*, JSON and Recrypt unchanged, in the oracle's
// shapes (README "Encoding").
func TestConversions(t *testing.T) {
	ev0, ev1, tk, signer, _, _ := values(t)
	for name, ev := range map[string]recrypt.EncryptedValue{"untransformed": ev0, "transformed": ev1} {
		b, err := json.Marshal(FromEncryptedValue(ev))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(jsonKeys(t, b), " "), "authHash encryptedMessage ephemeralPublicKey publicSigningKey signature transformBlocks"; got != want {
			t.Errorf("%s: keys %s, want %s", name, got, want)
		}
		if len(ev.TransformBlocks) == 0 && !bytes.Contains(b, []byte(`"transformBlocks":[]`)) {
			t.Errorf("%s: transformBlocks is not []: %s", name, b)
		}
		var h EncryptedValue
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatal(err)
		}
		back, err := h.Recrypt()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ev.TransformBlocks) == 0 {
			back.TransformBlocks = ev.TransformBlocks // nil and empty mean the same
		}
		if !reflect.DeepEqual(back, ev) {
			t.Errorf("%s: round trip changed the value", name)
		}
		if len(h.EncryptedMessage) != recrypt.EncryptedMessageSize || len(h.EphemeralPublicKey.X) != 32 || len(h.EphemeralPublicKey.Y) != 32 {
			t.Errorf("%s: field lengths %d, %d, %d", name, len(h.EncryptedMessage), len(h.EphemeralPublicKey.X), len(h.EphemeralPublicKey.Y))
		}
	}
	if len(ev1.TransformBlocks) != 1 {
		t.Fatalf("%d transform blocks", len(ev1.TransformBlocks))
	}
	bb, _ := json.Marshal(FromEncryptedValue(ev1).TransformBlocks[0])
	if got, want := strings.Join(jsonKeys(t, bb), " "), "encryptedTempKey publicKey randomTransformEncryptedTempKey randomTransformPublicKey"; got != want {
		t.Errorf("transform block keys %s, want %s", got, want)
	}

	b, _ := json.Marshal(FromTransformKey(tk))
	if got, want := strings.Join(jsonKeys(t, b), " "), "encryptedTempKey ephemeralPublicKey hashedTempKey publicSigningKey signature toPublicKey"; got != want {
		t.Errorf("transform key keys %s, want %s", got, want)
	}
	var htk TransformKey
	json.Unmarshal(b, &htk)
	if back, err := htk.Recrypt(); err != nil || back != tk {
		t.Errorf("transform key round trip: %v", err)
	}

	hs := FromSigningKeypair(signer)
	if pub := signer.PublicKey(); !bytes.Equal(hs.PublicKey, pub[:]) || len(hs.PrivateKey) != 64 {
		t.Errorf("signing keypair: public %x, private %d bytes", []byte(hs.PublicKey), len(hs.PrivateKey))
	}
	if back, err := hs.Recrypt(); err != nil || back.Bytes() != signer.Bytes() {
		t.Errorf("signing keypair round trip: %v", err)
	}
	if back, err := FromPublicKey(tk.ToPublicKey).Recrypt(); err != nil || back != tk.ToPublicKey {
		t.Errorf("public key round trip: %v", err)
	}
}

// TestRecryptRefusesBadLengths: a short field is a *recrypt.SizeError, a point off the curve
// an error.
func TestRecryptRefusesBadLengths(t *testing.T) {
	_, ev1, tk, _, _, _ := values(t)
	var se *recrypt.SizeError
	h := FromEncryptedValue(ev1)
	h.AuthHash = h.AuthHash[:31]
	if _, err := h.Recrypt(); !errors.As(err, &se) || se.Want != 32 || se.Got != 31 {
		t.Errorf("short authHash: %v", err)
	}
	h = FromEncryptedValue(ev1)
	h.TransformBlocks[0].RandomTransformEncryptedTempKey = append(h.TransformBlocks[0].RandomTransformEncryptedTempKey, 0)
	if _, err := h.Recrypt(); !errors.As(err, &se) || se.Got != 385 {
		t.Errorf("long block temp key: %v", err)
	}
	htk := FromTransformKey(tk)
	htk.HashedTempKey = nil
	if _, err := htk.Recrypt(); !errors.As(err, &se) || se.Want != 128 {
		t.Errorf("missing hashedTempKey: %v", err)
	}
	htk = FromTransformKey(tk)
	htk.ToPublicKey.Y = append(Bytes(nil), htk.ToPublicKey.Y...)
	htk.ToPublicKey.Y[31] ^= 1
	if _, err := htk.Recrypt(); err == nil {
		t.Error("a point off the curve was accepted")
	}
}

// fakeOracle answers requests on a pipe with answer(request); it returns the Oracle and the
// requests it saw.
func fakeOracle(t *testing.T, answer func(req map[string]any) string) (*Oracle, *[]map[string]any) {
	t.Helper()
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	var seen []map[string]any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer respW.Close()
		sc := bufio.NewScanner(reqR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var req map[string]any
			if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
				t.Errorf("request %q: %v", sc.Text(), err)
				return
			}
			seen = append(seen, req)
			if _, err := io.WriteString(respW, answer(req)+"\n"); err != nil {
				return
			}
		}
	}()
	o := newOracle(reqW, respR)
	t.Cleanup(func() {
		o.Close()
		<-done
	})
	return o, &seen
}

// TestCallProtocol: one line per request with id, op and the arguments; results decoded;
// failures as *Error; a response out of step makes the oracle refuse further calls.
func TestCallProtocol(t *testing.T) {
	o, seen := fakeOracle(t, func(req map[string]any) string {
		id := req["id"]
		switch req["op"] {
		case "computePublicKey":
			return fmt.Sprintf(`{"id":%v,"ok":true,"result":{"x":"01","y":"0A"}}`, id)
		case "decrypt":
			return fmt.Sprintf(`{"id":%v,"ok":false,"error":{"kind":"binding","message":"decrypt: The signature of the encrypted value could not be verified."}}`, id)
		case "skew":
			return fmt.Sprintf(`{"id":%v,"ok":true,"result":null}`, id.(float64)+1)
		}
		return fmt.Sprintf(`{"id":%v,"ok":true,"result":null}`, id)
	})
	pk, err := o.ComputePublicKey([]byte{0xde, 0xad})
	if err != nil || !bytes.Equal(pk.X, []byte{1}) || !bytes.Equal(pk.Y, []byte{10}) {
		t.Fatalf("ComputePublicKey: %+v %v", pk, err)
	}
	if got := (*seen)[0]; got["op"] != "computePublicKey" || got["privateKey"] != "dead" || got["id"] != float64(1) || len(got) != 3 {
		t.Errorf("request %v", got)
	}
	// "id" and "op" in args cannot override the call's own.
	if err := o.Call("info", map[string]any{"id": "mine", "op": "other"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := (*seen)[1]; got["op"] != "info" || got["id"] != float64(2) {
		t.Errorf("args overrode id or op: %v", got)
	}
	_, err = o.Decrypt(EncryptedValue{}, make([]byte, 32))
	var oe *Error
	if !errors.As(err, &oe) || oe.Kind != "binding" || oe.Op != "decrypt" || !strings.Contains(oe.Message, "signature") {
		t.Fatalf("Decrypt error %v", err)
	}
	if tb, ok := (*seen)[2]["encryptedValue"].(map[string]any)["transformBlocks"].([]any); !ok || len(tb) != 0 {
		t.Errorf("a value without blocks was not sent with transformBlocks []: %v", (*seen)[2]["encryptedValue"])
	}
	// A failed call leaves the oracle usable.
	if err := o.Call("info", nil, nil); err != nil {
		t.Fatalf("after an oracle error: %v", err)
	}
	if err := o.Call("skew", nil, nil); err == nil || !strings.Contains(err.Error(), "id") {
		t.Fatalf("response for another id: %v", err)
	}
	n := len(*seen)
	if err := o.Call("info", nil, nil); err == nil || !strings.Contains(err.Error(), "unusable") {
		t.Fatalf("call after a framing error: %v", err)
	}
	if len(*seen) != n {
		t.Error("a request was sent after a framing error")
	}
	o.Close()
	if err := o.Call("info", nil, nil); err == nil {
		t.Error("call after Close succeeded")
	}
}

// TestCallBadResponse: a response that is not JSON is an error, not a panic or a hang.
func TestCallBadResponse(t *testing.T) {
	o, _ := fakeOracle(t, func(map[string]any) string { return "not json" })
	if err := o.Call("info", nil, nil); err == nil {
		t.Fatal("no error")
	}
}

// fakeTB records Skip and Fatal; both end the goroutine as testing's do.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skip(args ...any) {
	f.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) {
	f.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func runTB(f *fakeTB, fn func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
}

// TestGetSkipsOrFails: an oracle that cannot start skips loudly, or fails under
// RECRYPT_ORACLE_REQUIRED=1; start is tried once.
func TestGetSkipsOrFails(t *testing.T) {
	starts := 0
	s := &sharedOracle{start: func() (*Oracle, error) {
		starts++
		return nil, errors.New("node: not found")
	}}
	t.Setenv(RequiredEnv, "")
	f := &fakeTB{}
	runTB(f, func(tb testing.TB) { s.get(tb) })
	if f.failed != "" || !strings.Contains(f.skipped, "SKIPPED: recrypt oracle unavailable (node: not found)") || !strings.Contains(f.skipped, "install-oracle.sh") {
		t.Errorf("without %s: skipped %q, failed %q", RequiredEnv, f.skipped, f.failed)
	}
	t.Setenv(RequiredEnv, "1")
	f = &fakeTB{}
	runTB(f, func(tb testing.TB) { s.get(tb) })
	if f.skipped != "" || !strings.Contains(f.failed, "node: not found") {
		t.Errorf("with %s=1: skipped %q, failed %q", RequiredEnv, f.skipped, f.failed)
	}
	if starts != 1 {
		t.Errorf("start tried %d times", starts)
	}
	s.shutdown()
	runTB(&fakeTB{}, func(tb testing.TB) { s.get(tb) })
	if starts != 2 {
		t.Errorf("after shutdown, start tried %d times in all, want 2", starts)
	}

	ok := newOracle(nopWriteCloser{io.Discard}, strings.NewReader(""))
	s = &sharedOracle{start: func() (*Oracle, error) { return ok, nil }}
	f = &fakeTB{}
	var got *Oracle
	runTB(f, func(tb testing.TB) { got = s.get(tb) })
	if got != ok || f.skipped != "" || f.failed != "" {
		t.Errorf("started oracle: got %p want %p, skipped %q, failed %q", got, ok, f.skipped, f.failed)
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// TestLive runs against the real oracle: sdk/recrypt values converted here decrypt and
// transform there, and its errors come back as *Error.
func TestLive(t *testing.T) {
	o := Get(t)
	ev0, ev1, tk, signer, skB, pt := values(t)
	ptb := pt.Bytes()
	got, err := o.Decrypt(FromEncryptedValue(ev1), FromPrivateKey(skB))
	if err != nil || !bytes.Equal(got, ptb[:]) {
		t.Fatalf("oracle decrypt of a converted transformed value: %v", err)
	}
	ev2, err := o.Transform(FromEncryptedValue(ev0), FromTransformKey(tk), FromSigningKeypair(signer))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := o.Decrypt(ev2, FromPrivateKey(skB)); err != nil || !bytes.Equal(got, ptb[:]) {
		t.Fatalf("oracle transform with a converted key: %v", err)
	}
	back, err := ev2.Recrypt()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := recrypt.Decrypt(back, skB); err != nil || p != pt {
		t.Fatalf("the oracle's transform, converted back, does not decrypt here: %v", err)
	}

	kp, err := o.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if pk, err := o.ComputePublicKey(kp.PrivateKey); err != nil || !reflect.DeepEqual(pk, kp.PublicKey) {
		t.Fatalf("computePublicKey: %v", err)
	}
	sk, err := recrypt.NewPrivateKey(kp.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if pk, err := recrypt.ComputePublicKey(sk); err != nil || !reflect.DeepEqual(FromPublicKey(pk), kp.PublicKey) {
		t.Fatalf("public key of the oracle's private key differs here: %v", err)
	}
	opt, err := o.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	osig, err := o.GenerateSigningKeypair()
	if err != nil {
		t.Fatal(err)
	}
	oev, err := o.Encrypt(opt, kp.PublicKey, osig)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := o.Decrypt(oev, kp.PrivateKey); err != nil || !bytes.Equal(got, opt) {
		t.Fatalf("oracle round trip: %v", err)
	}
	sym, err := o.DeriveSymmetricKey(opt)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := recrypt.NewPlaintext(opt)
	if k := recrypt.DeriveSymmetricKey(p); !bytes.Equal(sym, k[:]) {
		t.Error("deriveSymmetricKey differs")
	}

	var oe *Error
	if _, err := o.Decrypt(oev, FromPrivateKey(skB)); !errors.As(err, &oe) || oe.Kind != "binding" {
		t.Errorf("decrypt with the wrong key: %v", err)
	}
	if err := o.Call("noSuchOp", nil, nil); !errors.As(err, &oe) || oe.Kind != "request" {
		t.Errorf("unknown op: %v", err)
	}
	// Still in step after errors.
	if _, err := o.GeneratePlaintext(); err != nil {
		t.Errorf("after errors: %v", err)
	}
}
