package sdk

import (
	"bytes"
	"errors"
	"testing"
)

func TestPackHeader(t *testing.T) {
	t.Parallel()
	// The header of ironoxide's tests/testkeys/iak-prod.pem.iron (spec §5.8):
	// 02 00 39 then the 57-byte JSON.
	h, err := packHeader("3e2f7b3b6844eacd465a31549229b348", 1682)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x02, 0x00, 0x39}, `{"_did_":"3e2f7b3b6844eacd465a31549229b348","_sid_":1682}`...)
	if !bytes.Equal(h, want) {
		t.Errorf("header\n got %x\nwant %x", h, want)
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	rnd := newDetReader("doc")
	key, _ := read(rnd, 32)
	h, _ := packHeader(goldenDoc, goldenSeg)
	for _, pt := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("abc"), 5000)} {
		doc, err := sealDocument(h, key, pt, rnd)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc) != len(h)+12+len(pt)+16 {
			t.Errorf("document is %d bytes for %d of data", len(doc), len(pt))
		}
		hd, n, body, err := parseDocument(doc)
		if err != nil || hd.DocumentID != goldenDoc || hd.SegmentID != goldenSeg || n != len(h) {
			t.Fatalf("parse = %+v %d %v", hd, n, err)
		}
		got, err := openDocument(key, body)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("open = %q, %v", got, err)
		}
		if id, err := DocumentID(doc); err != nil || id != goldenDoc {
			t.Errorf("DocumentID = %q, %v; want %q", id, err, goldenDoc)
		}
		doc[len(doc)-1] ^= 1
		_, _, body, _ = parseDocument(doc)
		if _, err := openDocument(key, body); err == nil {
			t.Error("tampered document opened")
		}
	}
}

func TestParseDocumentErrors(t *testing.T) {
	t.Parallel()
	good, _ := packHeader("d", 1)
	tests := []struct {
		name string
		doc  []byte
	}{
		{"empty", nil},
		{"version 1", append([]byte{1}, good[1:]...)},
		{"too short for iv and tag", append(good, make([]byte, 27)...)},
		{"length past end", []byte{2, 0xff, 0xff, '{'}},
		{"header not json", append([]byte{2, 0, 3, 'a', 'b', 'c'}, make([]byte, 28)...)},
		{"no id", append(append([]byte{2, 0, 2}, "{}"...), make([]byte, 28)...)},
	}
	for _, tt := range tests {
		if _, _, _, err := parseDocument(tt.doc); !errors.Is(err, ErrBadDocument) {
			t.Errorf("%s: err = %v, want ErrBadDocument", tt.name, err)
		}
	}
}

func FuzzParseDocument(f *testing.F) {
	h, _ := packHeader("3e2f7b3b6844eacd465a31549229b348", 1682)
	f.Add(append(h, make([]byte, 40)...))
	f.Add([]byte{2, 0, 0})
	f.Fuzz(func(t *testing.T, doc []byte) {
		hd, n, body, err := parseDocument(doc)
		if err != nil {
			return
		}
		if hd.DocumentID == "" || n > len(doc) || len(body) < 28 {
			t.Fatalf("accepted %x as %+v", doc, hd)
		}
	})
}
