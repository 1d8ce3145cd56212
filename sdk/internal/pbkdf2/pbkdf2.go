// Package pbkdf2 is PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) at the cost of two
// SHA-256 compressions per iteration.
//
// crypto/pbkdf2 re-enters the HMAC and hash state machinery on every
// iteration. Here the HMAC key's inner and outer pad states are compressed
// once, and each iteration is exactly two compressions of fixed-size
// blocks: the previous U (32 bytes, padded to one block) from the inner
// state, then the inner digest (padded the same way) from the outer state.
// On amd64 CPUs with the SHA extensions the whole iteration loop runs in
// assembly (sha256_amd64.s); on amd64 without them, and with -tags purego,
// it runs the portable compression of block.go (still faster than
// crypto/pbkdf2 on its AVX2 SHA-256); on other architectures Key is
// crypto/pbkdf2's (stdlib_other.go). The output is byte-equal to
// crypto/pbkdf2.Key(sha256.New, ...).
package pbkdf2

import (
	stdpbkdf2 "crypto/pbkdf2"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

const (
	size      = sha256.Size      // 32
	blockSize = sha256.BlockSize // 64
)

// iv is SHA-256's initial hash value (FIPS 180-4 §5.3.3).
var iv = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

// Key derives a keyLen-byte key from password and salt with iter
// iterations of PBKDF2-HMAC-SHA256, as crypto/pbkdf2.Key(sha256.New,
// password, salt, iter, keyLen) does. iter and keyLen must be at least 1
// (crypto/pbkdf2 runs one iteration for any iter below 1).
func Key(password string, salt []byte, iter, keyLen int) ([]byte, error) {
	if iter < 1 {
		return nil, errors.New("pbkdf2: iteration count must be at least 1")
	}
	if keyLen < 1 {
		return nil, errors.New("pbkdf2: key length must be at least 1")
	}
	blocks := (int64(keyLen) + size - 1) / size
	if blocks > 1<<32-1 {
		return nil, errors.New("pbkdf2: key length too long")
	}
	if useStdlib {
		return stdpbkdf2.Key(sha256.New, password, salt, iter, keyLen)
	}
	var ist, ost [8]uint32
	padStates(password, &ist, &ost)

	dk := make([]byte, 0, blocks*size)
	var u, t [8]uint32
	for i := int64(1); i <= blocks; i++ {
		first(&ist, &ost, salt, uint32(i), &u)
		t = u
		iterate(&ist, &ost, &u, &t, iter-1)
		for _, w := range t {
			dk = binary.BigEndian.AppendUint32(dk, w)
		}
	}
	return dk[:keyLen], nil
}

// padStates sets ist and ost to the SHA-256 states after compressing the
// HMAC key XOR ipad and XOR opad (RFC 2104): every HMAC under this key
// starts from them.
func padStates(password string, ist, ost *[8]uint32) {
	var key [blockSize]byte
	if len(password) > blockSize {
		sum := sha256.Sum256([]byte(password))
		copy(key[:], sum[:])
	} else {
		copy(key[:], password)
	}
	var ipad, opad [blockSize]byte
	for i, k := range key {
		ipad[i] = k ^ 0x36
		opad[i] = k ^ 0x5c
	}
	*ist, *ost = iv, iv
	block(ist, &ipad)
	block(ost, &opad)
	clear(key[:])
	clear(ipad[:])
	clear(opad[:])
}

// first sets u to U_1 = HMAC(password, salt || INT(i)), the HMAC of a
// message of any length, from the pad states.
func first(ist, ost *[8]uint32, salt []byte, i uint32, u *[8]uint32) {
	msg := make([]byte, 0, len(salt)+4+1+8+blockSize)
	msg = append(msg, salt...)
	msg = binary.BigEndian.AppendUint32(msg, i)
	h := *ist
	hashTail(&h, msg, blockSize+uint64(len(msg)))

	var inner [size]byte
	for j, w := range h {
		binary.BigEndian.PutUint32(inner[4*j:], w)
	}
	*u = *ost
	hashTail(u, inner[:], blockSize+size)
}

// hashTail compresses msg into h with SHA-256's padding, total being the
// length in bytes of everything hashed into h, msg included.
func hashTail(h *[8]uint32, msg []byte, total uint64) {
	msg = append(msg, 0x80)
	for len(msg)%blockSize != blockSize-8 {
		msg = append(msg, 0)
	}
	msg = binary.BigEndian.AppendUint64(msg, total*8)
	for ; len(msg) > 0; msg = msg[blockSize:] {
		block(h, (*[blockSize]byte)(msg))
	}
}

// Compress runs one SHA-256 compression of p into h, with the
// implementation Key uses. It is exported for benchmarks: two compressions
// per iteration are the lower bound of Key's cost.
func Compress(h *[8]uint32, p *[64]byte) { block(h, p) }
