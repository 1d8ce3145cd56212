package results

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"
)

// TestVegetaReadsWhatWeWrite decodes WriteVegeta's output with vegeta's own
// decoder and feeds it to vegeta's report (Metrics) and plot, per attack.
func TestVegetaReadsWhatWeWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := newSynthRun(3, 4)
	run.write(t, dir, testStart, RunMeta{Name: "synth"})
	sum, _, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	warns, err := WriteVegeta(dir, &buf)
	if err != nil || len(warns) > 0 {
		t.Fatalf("WriteVegeta: %v %v", err, warns)
	}

	total := &vegeta.Metrics{}
	per := map[string]*vegeta.Metrics{}
	classes := map[string]map[string]int64{}
	nextSeq := map[string]uint64{}
	p := plot.New(plot.Title("synth"))
	dec := vegeta.NewDecoder(&buf)
	var last time.Time
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if r.Seq != nextSeq[r.Attack] {
			t.Fatalf("%s: seq %d, want %d", r.Attack, r.Seq, nextSeq[r.Attack])
		}
		nextSeq[r.Attack]++
		if r.Timestamp.Before(last) {
			t.Fatalf("result %s/%d at %v is before the previous one (%v)", r.Attack, r.Seq, r.Timestamp, last)
		}
		last = r.Timestamp
		total.Add(&r)
		m := per[r.Attack]
		if m == nil {
			m = &vegeta.Metrics{}
			per[r.Attack] = m
			classes[r.Attack] = map[string]int64{}
		}
		m.Add(&r)
		if r.Error != "" {
			classes[r.Attack][r.Error]++
		}
		if err := p.Add(&r); err != nil {
			t.Fatalf("plot.Add: %v", err)
		}
	}
	total.Close()

	if want := countAll(sum); int64(total.Requests) != want {
		t.Errorf("vegeta counted %d requests, want %d", total.Requests, want)
	}
	if len(per) != len(sum.Ops) {
		t.Errorf("vegeta saw %d attacks, want %d", len(per), len(sum.Ops))
	}
	for _, o := range sum.Ops {
		name := o.Scenario + "/" + o.Op
		m := per[name]
		if m == nil {
			t.Errorf("no attack %q", name)
			continue
		}
		m.Close()
		if int64(m.Requests) != o.Count {
			t.Errorf("%s: vegeta counted %d, want %d", name, m.Requests, o.Count)
		}
		// Every failure here has a 5xx status or none, so vegeta's
		// success ratio is ours.
		if got, want := m.Success, float64(o.OK)/float64(o.Count); got != want {
			t.Errorf("%s: vegeta success %v, want %v", name, got, want)
		}
		for c, n := range o.ErrorClasses {
			if classes[name][c] != n {
				t.Errorf("%s: %d results with error %q, want %d", name, classes[name][c], c, n)
			}
		}
		if got, want := m.Latencies.Max, time.Duration(o.LatencyMS.Max*1000)*time.Microsecond; got != want {
			t.Errorf("%s: vegeta max latency %v, want %v", name, got, want)
		}
		if got, want := m.Latencies.Mean, time.Duration(o.LatencyMS.Mean*1e6); (got - want).Abs() > time.Microsecond {
			t.Errorf("%s: vegeta mean latency %v, want %v", name, got, want)
		}
	}
	if got, want := total.Earliest, sum.Run.Start; got.Before(want) || got.Sub(want) > time.Second {
		t.Errorf("earliest = %v, run start %v", got, want)
	}

	p.Close()
	var html bytes.Buffer
	if _, err := p.WriteTo(&html); err != nil {
		t.Fatalf("plot.WriteTo: %v", err)
	}
	for name := range per {
		if !strings.Contains(html.String(), name) {
			t.Errorf("vegeta's plot does not name the attack %q", name)
		}
	}
}

func TestWriteVegetaNoStream(t *testing.T) {
	t.Parallel()
	if _, err := WriteVegeta(t.TempDir(), io.Discard); err == nil {
		t.Error("WriteVegeta of a folder without a stream succeeded")
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteVegetaWriteError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	newSynthRun(4, 1).write(t, dir, testStart, RunMeta{Name: "synth"})
	if _, err := WriteVegeta(dir, &failAfter{n: 2000}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the write error", err)
	}
}
