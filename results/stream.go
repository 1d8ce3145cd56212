package results

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"time"
)

// StreamFile is the name of the sample stream in a run folder.
//
// The stream is binary and append-only; STREAM.md has the full description.
// In short: the file starts with the 8 bytes "LGSTRM1\n", then holds frames.
// A frame is a 4-byte little-endian payload length, the 4-byte little-endian
// CRC-32C (Castagnoli) of the payload, and the payload: a run of records,
// never split across frames, at most 64 KiB unless one record is larger. A
// record is a type byte, a uvarint body length and the body, so a reader can
// skip record types it does not know. Integers in bodies are uvarints or
// zigzag varints (encoding/binary); durations and offsets are integer
// microseconds; names (scenarios, ops, classes, phases) are numbered by N
// records before their first use.
//
//	H header     JSON {"format","version","flush_interval_ms","run": RunMeta}
//	N name       id, then the name's bytes (rest of the body)
//	S sample     scenario id, op id, start, latency, service (varints),
//	             class id (0 = ok), status, phase count, then per phase:
//	             name id, start, end (varints, offsets within the op)
//	I iteration  scenario id, start, latency, service (varints), failed (0/1)
//	C counters   scenario id, late, dropped (totals so far)
//	T health     second (varint), CPU % (float64 bits, uvarint), sched
//	             latency p99 and start lag p99 (varint nanoseconds),
//	             goroutines, heap bytes, saturated; then (newer writers)
//	             thread, crypto, service, GC CPU % and run-queue % (float64
//	             bits; NaN = not measured), start lags, cause name id
//	             (0 = none), thread runnable % (float64 bits)
//	P second     second, scenario id, op id, count, errors, p50, p99 (latency)
//	W workers    scenario id, max workers, budget (0/1), peak rate (float64
//	             bits), seconds the cap bound so far (the last one counts)
//	E end        end wall time, Unix nanoseconds (varint)
//	Q level      a capacity search's finished level, JSON (see capacity.go)
//	R reason     scenario id, op id, reason id: the reason of the sample
//	             record just before it (classes other and workload)
//
// The writer writes every frame of a flush with one write(2), at least once
// per flush interval, so a SIGKILLed run loses at most the last interval; a
// frame torn by a crash fails its length or CRC check and Rebuild skips it
// with a warning.
const StreamFile = "samples.bin"

// streamMagic starts every stream.
const streamMagic = "LGSTRM1\n"

// streamVersion is the header's version; readers refuse larger ones.
const streamVersion = 1

// maxFrame is the payload size a frame is cut at (records are never split).
const maxFrame = 64 << 10

// Record types.
const (
	recHeader    byte = 'H'
	recName      byte = 'N'
	recSample    byte = 'S'
	recIteration byte = 'I'
	recCounts    byte = 'C'
	recHealth    byte = 'T'
	recSecond    byte = 'P'
	recCap       byte = 'W'
	recEnd       byte = 'E'
	recLevel     byte = 'Q'
	recReason    byte = 'R'
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// streamHeader is the body of the H record.
type streamHeader struct {
	Format          string  `json:"format"`
	Version         int     `json:"version"`
	FlushIntervalMS int64   `json:"flush_interval_ms"`
	Run             RunMeta `json:"run"`
}

// header returns the H record of r's stream.
func (r *Recorder) header() []byte {
	body, err := json.Marshal(streamHeader{
		Format: "loadgen-samples", Version: streamVersion,
		FlushIntervalMS: r.interval.Milliseconds(), Run: r.runMeta,
	})
	if err != nil {
		// RunMeta holds only strings, numbers and times; Marshal cannot
		// fail on it but for a time outside years 0-9999.
		body = []byte(fmt.Sprintf(`{"format":"loadgen-samples","version":%d}`, streamVersion))
	}
	return appendRecord(nil, recHeader, body)
}

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
func appendVarint(b []byte, v int64) []byte   { return binary.AppendVarint(b, v) }

// appendRecord appends a record of type typ with the given body.
func appendRecord(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ)
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}

// appendName appends an N record.
func appendName(b []byte, id uint64, name string) []byte {
	b = append(b, recName)
	b = binary.AppendUvarint(b, uint64(uvarintLen(id)+len(name)))
	b = binary.AppendUvarint(b, id)
	return append(b, name...)
}

// appendHealth appends a T record; cause is the name id of h.Cause (0
// when not saturated).
func appendHealth(b []byte, h Health, cause uint64) []byte {
	var body [160]byte
	x := body[:0]
	x = binary.AppendVarint(x, h.Second)
	x = binary.AppendUvarint(x, math.Float64bits(h.CPUPercent))
	x = binary.AppendVarint(x, int64(h.SchedLatencyP99))
	x = binary.AppendVarint(x, int64(h.StartLagP99))
	x = binary.AppendUvarint(x, uint64(max(h.Goroutines, 0)))
	x = binary.AppendUvarint(x, h.HeapBytes)
	sat := uint64(0)
	if h.Saturated {
		sat = 1
	}
	x = binary.AppendUvarint(x, sat)
	for _, v := range []float64{h.ThreadCPUMaxPercent, h.CryptoCPUPercent, h.ServiceCPUPercent, h.GCCPUPercent, h.RunQueuePercent} {
		x = binary.AppendUvarint(x, math.Float64bits(v))
	}
	x = binary.AppendUvarint(x, uint64(max(h.StartLags, 0)))
	x = binary.AppendUvarint(x, cause)
	x = binary.AppendUvarint(x, math.Float64bits(h.ThreadRunnableMaxPercent))
	return appendRecord(b, recHealth, x)
}

// appendWorkerCap appends a W record for the scenario of name id.
func appendWorkerCap(b []byte, id uint64, c WorkerCap) []byte {
	budget := uint64(0)
	if c.Budget {
		budget = 1
	}
	return appendUvarints(b, recCap, id, uint64(max(c.MaxWorkers, 0)), budget, math.Float64bits(c.PeakRate), uint64(max(c.Seconds, 0)))
}

// appendEnd appends an E record.
func appendEnd(b []byte, t time.Time) []byte {
	var body [binary.MaxVarintLen64]byte
	return appendRecord(b, recEnd, binary.AppendVarint(body[:0], t.UnixNano()))
}

// appendUvarints appends a record of type typ whose body is the given
// uvarints.
func appendUvarints(b []byte, typ byte, vs ...uint64) []byte {
	var body [10 * binary.MaxVarintLen64]byte
	x := body[:0]
	for _, v := range vs {
		x = binary.AppendUvarint(x, v)
	}
	return appendRecord(b, typ, x)
}

// uvarintLen returns the encoded length of v.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendFrames appends the records in recs to out as frames of at most
// maxFrame bytes of payload (a larger record gets a frame of its own).
func appendFrames(out, recs []byte) []byte {
	for len(recs) > 0 {
		n := 0
		for n < len(recs) {
			l := recordLen(recs[n:])
			if n > 0 && n+l > maxFrame {
				break
			}
			n += l
		}
		p := recs[:n]
		out = binary.LittleEndian.AppendUint32(out, uint32(len(p)))
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(p, castagnoli))
		out = append(out, p...)
		recs = recs[n:]
	}
	return out
}

// recordLen returns the length of the well-formed record that starts b (the
// writer only frames records it encoded itself).
func recordLen(b []byte) int {
	body, k := binary.Uvarint(b[1:])
	return 1 + k + int(body)
}
