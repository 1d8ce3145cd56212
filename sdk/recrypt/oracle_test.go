package recrypt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The live oracle is the real recrypt-rs (its WebAssembly build) behind
// shared/oracle/recrypt/oracle.js, one node process per test binary. It needs
// the npm package installed (testdata/install-oracle.sh) and
// RECRYPT_WASM_BINDING_DIR or NODE_PATH pointing at it. Without it the oracle
// tests skip, unless RECRYPT_ORACLE_REQUIRED=1 (as in CI), when they fail.

// oracle is a running oracle process.
type oracle struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	nextID int
}

// oracleState holds the process shared by the tests of this binary; TestMain
// stops it.
var oracleState struct {
	once sync.Once
	o    *oracle
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if o := oracleState.o; o != nil {
		o.in.Close()
		o.cmd.Wait()
	}
	os.Exit(code)
}

// getOracle starts the oracle once, and skips or fails the test if it cannot.
func getOracle(t *testing.T) *oracle {
	t.Helper()
	oracleState.once.Do(func() { oracleState.o, oracleState.err = startOracle() })
	if oracleState.err != nil {
		msg := fmt.Sprintf("!!! recrypt oracle unavailable: %v\n!!! install it with: sdk/recrypt/testdata/install-oracle.sh DIR, then export the line it prints", oracleState.err)
		if os.Getenv("RECRYPT_ORACLE_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return oracleState.o
}

func startOracle() (*oracle, error) {
	shared, err := sharedDir()
	if err != nil {
		return nil, fmt.Errorf("shared/ not found: %w", err)
	}
	script := filepath.Join(shared, "oracle", "recrypt", "oracle.js")
	if _, err := os.Stat(script); err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, script)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	o := &oracle{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	var info map[string]any
	if err := o.call("info", nil, &info); err != nil {
		in.Close()
		cmd.Wait()
		return nil, fmt.Errorf("oracle did not answer info: %w", err)
	}
	return o, nil
}

// call sends one request and decodes the result into res.
func (o *oracle) call(op string, args map[string]any, res any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.nextID++
	req := map[string]any{"id": o.nextID, "op": op}
	for k, v := range args {
		req[k] = v
	}
	line, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := o.in.Write(append(line, '\n')); err != nil {
		return err
	}
	resp, err := o.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("reading oracle response: %w", err)
	}
	var r struct {
		ID     int             `json:"id"`
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return fmt.Errorf("oracle response %q: %w", bytes.TrimSpace(resp), err)
	}
	if !r.OK {
		if r.Error == nil {
			return errors.New("oracle: failed without an error")
		}
		return fmt.Errorf("oracle %s (%s): %s", op, r.Error.Kind, r.Error.Message)
	}
	if res == nil {
		return nil
	}
	return json.Unmarshal(r.Result, res)
}

func oracleCases(t *testing.T) int {
	if testing.Short() {
		return 20
	}
	return 200
}

// TestOracleGoToRecrypt: this package encrypts, makes transform keys,
// transforms and signs; recrypt decrypts, transforms and verifies.
func TestOracleGoToRecrypt(t *testing.T) {
	o := getOracle(t)
	r := New(nil)
	for i := 0; i < oracleCases(t); i++ {
		skA, pkA, err := r.GenerateKeyPair()
		if err != nil {
			t.Fatal(err)
		}
		skB, pkB, _ := r.GenerateKeyPair()
		signer, _ := r.GenerateEd25519KeyPair()
		pt, _ := r.GeneratePlaintext()
		ptb := pt.Bytes()

		var opk hexPublicKey
		skAb := skA.Bytes()
		if err := o.call("computePublicKey", map[string]any{"privateKey": hexBytes(skAb[:])}, &opk); err != nil {
			t.Fatal(err)
		}
		if err := pkEqual(pkA, opk); err != nil {
			t.Fatalf("case %d: computePublicKey: %v", i, err)
		}

		ev, err := r.Encrypt(pt, pkA, signer)
		if err != nil {
			t.Fatal(err)
		}
		var got hexBytes
		if err := o.call("decrypt", map[string]any{"encryptedValue": toHexEncryptedValue(ev), "privateKey": hexBytes(skAb[:])}, &got); err != nil {
			t.Fatalf("case %d: recrypt decrypt of our encryption: %v", i, err)
		}
		if !bytes.Equal(got, ptb[:]) {
			t.Fatalf("case %d: recrypt decrypted our encryption to another plaintext", i)
		}

		tk, err := r.GenerateTransformKey(skA, pkB, signer)
		if err != nil {
			t.Fatal(err)
		}
		ev1, err := r.Transform(ev, tk, signer)
		if err != nil {
			t.Fatal(err)
		}
		skBb := skB.Bytes()
		if err := o.call("decrypt", map[string]any{"encryptedValue": toHexEncryptedValue(ev1), "privateKey": hexBytes(skBb[:])}, &got); err != nil {
			t.Fatalf("case %d: recrypt decrypt of our transform: %v", i, err)
		}
		if !bytes.Equal(got, ptb[:]) {
			t.Fatalf("case %d: recrypt decrypted our transform to another plaintext", i)
		}

		var oev hexEncryptedValue
		if err := o.call("transform", map[string]any{"encryptedValue": toHexEncryptedValue(ev), "transformKey": toHexTransformKey(tk), "signingKeypair": toHexSigningKeypair(signer)}, &oev); err != nil {
			t.Fatalf("case %d: recrypt transform with our key: %v", i, err)
		}
		if err := o.call("decrypt", map[string]any{"encryptedValue": oev, "privateKey": hexBytes(skBb[:])}, &got); err != nil || !bytes.Equal(got, ptb[:]) {
			t.Fatalf("case %d: recrypt transform with our key did not decrypt: %v", i, err)
		}

		msg := []byte(fmt.Sprintf("message %d", i))
		sig, err := r.SchnorrSign(skA, pkA, msg)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		if err := o.call("schnorrVerify", map[string]any{"publicKey": toHexPublicKey(pkA), "message": hexBytes(msg), "signature": hexBytes(sig[:])}, &ok); err != nil || !ok {
			t.Fatalf("case %d: recrypt rejected our Schnorr signature: %v", i, err)
		}
	}
}

// TestOracleRecryptToGo: recrypt encrypts, makes transform keys, transforms
// and signs; this package transforms, decrypts and verifies.
func TestOracleRecryptToGo(t *testing.T) {
	o := getOracle(t)
	r := New(nil)
	for i := 0; i < oracleCases(t); i++ {
		var a, b struct {
			PrivateKey hexBytes     `json:"privateKey"`
			PublicKey  hexPublicKey `json:"publicKey"`
		}
		if err := o.call("generateKeyPair", nil, &a); err != nil {
			t.Fatal(err)
		}
		if err := o.call("generateKeyPair", nil, &b); err != nil {
			t.Fatal(err)
		}
		var signer hexSigningKeypair
		if err := o.call("generateEd25519KeyPair", nil, &signer); err != nil {
			t.Fatal(err)
		}
		var ptHex hexBytes
		if err := o.call("generatePlaintext", nil, &ptHex); err != nil {
			t.Fatal(err)
		}
		var oev hexEncryptedValue
		if err := o.call("encrypt", map[string]any{"plaintext": ptHex, "toPublicKey": a.PublicKey, "signingKeypair": signer}, &oev); err != nil {
			t.Fatal(err)
		}
		if err := decryptTo(oev, a.PrivateKey, ptHex); err != nil {
			t.Fatalf("case %d: decrypting recrypt's encryption: %v", i, err)
		}
		var otk hexTransformKey
		if err := o.call("generateTransformKey", map[string]any{"fromPrivateKey": a.PrivateKey, "toPublicKey": b.PublicKey, "signingKeypair": signer}, &otk); err != nil {
			t.Fatal(err)
		}
		tk, err := otk.key()
		if err != nil {
			t.Fatal(err)
		}
		ev, err := oev.value()
		if err != nil {
			t.Fatal(err)
		}
		sk, err := r.GenerateEd25519KeyPair()
		if err != nil {
			t.Fatal(err)
		}
		ev1, err := r.Transform(ev, tk, sk)
		if err != nil {
			t.Fatalf("case %d: transforming with recrypt's key: %v", i, err)
		}
		if err := decryptTo(toHexEncryptedValue(ev1), b.PrivateKey, ptHex); err != nil {
			t.Fatalf("case %d: decrypting our transform with recrypt's key: %v", i, err)
		}
		// recrypt transforms; this package decrypts, then adds a second hop.
		var oev1 hexEncryptedValue
		if err := o.call("transform", map[string]any{"encryptedValue": oev, "transformKey": otk, "signingKeypair": signer}, &oev1); err != nil {
			t.Fatal(err)
		}
		if err := decryptTo(oev1, b.PrivateKey, ptHex); err != nil {
			t.Fatalf("case %d: decrypting recrypt's transform: %v", i, err)
		}
		msg := []byte(fmt.Sprintf("message %d", i))
		var sig hexBytes
		if err := o.call("schnorrSign", map[string]any{"privateKey": a.PrivateKey, "publicKey": a.PublicKey, "message": hexBytes(msg)}, &sig); err != nil {
			t.Fatal(err)
		}
		pk, _ := a.PublicKey.key()
		if !VarTimeSchnorrVerify(pk, nil, msg, SchnorrSignature(sig)) {
			t.Fatalf("case %d: rejected recrypt's Schnorr signature", i)
		}
	}
}
