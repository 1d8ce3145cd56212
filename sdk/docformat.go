package sdk

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// docVersion is the only document format version ironoxide writes or reads.
const docVersion = 2

// docHeader is the JSON header of a version-2 document (§5.8).
type docHeader struct {
	DocumentID string `json:"_did_"`
	SegmentID  int64  `json:"_sid_"`
}

// packHeader returns 0x02 || len(header) as big-endian u16 || header JSON,
// the header written compactly as {"_did_":"…","_sid_":n}.
func packHeader(docID string, segmentID int64) ([]byte, error) {
	id, err := marshal(docID)
	if err != nil {
		return nil, err
	}
	h := make([]byte, 3, 3+len(id)+32)
	h[0] = docVersion
	h = append(h, `{"_did_":`...)
	h = append(h, id...)
	h = append(h, `,"_sid_":`...)
	h = strconv.AppendInt(h, segmentID, 10)
	h = append(h, '}')
	if len(h)-3 > 0xffff {
		return nil, fmt.Errorf("%w: header too long", ErrBadDocument)
	}
	binary.BigEndian.PutUint16(h[1:3], uint16(len(h)-3))
	return h, nil
}

// parseDocument splits a version-2 document into its header, the header's
// length on the wire (3+L) and the AES-GCM part (IV || ciphertext || tag).
func parseDocument(doc []byte) (docHeader, int, []byte, error) {
	var h docHeader
	if len(doc) < 3 || doc[0] != docVersion {
		return h, 0, nil, fmt.Errorf("%w: bad version byte", ErrBadDocument)
	}
	n := 3 + int(binary.BigEndian.Uint16(doc[1:3]))
	if len(doc) < n+ivLen+tagLen {
		return h, 0, nil, fmt.Errorf("%w: %d bytes is too short", ErrBadDocument, len(doc))
	}
	if err := json.Unmarshal(doc[3:n], &h); err != nil {
		return h, 0, nil, fmt.Errorf("%w: header: %v", ErrBadDocument, err)
	}
	if h.DocumentID == "" {
		return h, 0, nil, fmt.Errorf("%w: header has no document id", ErrBadDocument)
	}
	return h, n, doc[n:], nil
}

// DocumentID returns the document ID in the header of an encrypted
// document, without decrypting it.
func DocumentID(doc []byte) (string, error) {
	h, _, _, err := parseDocument(doc)
	return h.DocumentID, err
}

// sealDocument appends IV || AES-256-GCM(plaintext) || tag to header, with
// a fresh IV from rnd and no additional data.
func sealDocument(header, key, plaintext []byte, rnd io.Reader) ([]byte, error) {
	out := make([]byte, len(header)+ivLen, len(header)+ivLen+len(plaintext)+tagLen)
	copy(out, header)
	if _, err := io.ReadFull(rnd, out[len(header):]); err != nil {
		return nil, fmt.Errorf("document iv: %w", err)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return gcm.Seal(out, out[len(header):], plaintext, nil), nil
}

// openDocument decrypts the AES-GCM part of a document.
func openDocument(key, body []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	pt, err := gcm.Open(nil, body[:ivLen], body[ivLen:], nil)
	if err != nil {
		return nil, fmt.Errorf("document does not authenticate: %w", err)
	}
	return pt, nil
}
