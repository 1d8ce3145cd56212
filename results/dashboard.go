package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Dashboard serves a running Recorder over HTTP, while the run goes:
//
//   - "/": the live page, report.html's own page and script with the
//     charts redrawn every second from /events; it loads nothing from
//     elsewhere. A page opened late, or reconnecting, gets the run so far.
//   - "/events": server-sent events (text/event-stream). The first event,
//     named "replay", carries the page's data so far (report.html's DATA);
//     then comes one unnamed event a second, a LiveEvent in JSON, with id
//     its second; a client more than 16 s behind gets a new "replay"; an
//     event named "end" closes the stream when the run ends.
//   - "/summary.json": the summary so far (as summary.json, thresholds not
//     evaluated).
//
// The run pays nothing per sample for it: the Recorder's goroutine keeps
// the per-second figures it rolls anyway.
type Dashboard struct {
	rec  *Recorder
	live *live
	mux  *http.ServeMux

	closeOnce sync.Once
	done      chan struct{}
}

// NewDashboard returns a Dashboard of r, which keeps r's run second by
// second from its next roll on: create it before the run starts.
func NewDashboard(r *Recorder) *Dashboard {
	d := &Dashboard{rec: r, live: r.keepLive(), mux: http.NewServeMux(), done: make(chan struct{})}
	d.mux.HandleFunc("GET /{$}", d.servePage)
	d.mux.HandleFunc("GET /events", d.serveEvents)
	d.mux.HandleFunc("GET /summary.json", d.serveSummary)
	return d
}

// ServeHTTP implements http.Handler.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, req *http.Request) { d.mux.ServeHTTP(w, req) }

// Close ends every /events stream; later ones end at once.
func (d *Dashboard) Close() { d.closeOnce.Do(func() { close(d.done) }) }

func (d *Dashboard) servePage(w http.ResponseWriter, req *http.Request) {
	data := d.live.page()
	sum := d.rec.Summary()
	data.Capacity = sum.htmlCapacities() // as of the page's load, like the tables
	var b bytes.Buffer
	if err := sum.writePage(&b, data, true); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

func (d *Dashboard) serveSummary(w http.ResponseWriter, req *http.Request) {
	js, err := json.MarshalIndent(d.rec.Summary(), "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.Write(append(js, '\n'))
}

func (d *Dashboard) serveEvents(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // a proxy in between must not hold events back
	rc := http.NewResponseController(w)
	sent := int64(-1) // the last second the client has
	for {
		second, wake, ended := d.live.latest()
		var err error
		for err == nil && sent < second {
			// The seconds the client lacks, one event each; a replay when
			// it has none yet, or fell further behind than the events kept.
			var ev []byte
			if sent >= 0 {
				ev = d.live.eventAt(sent + 1)
			}
			if ev != nil {
				sent++
				err = writeEvent(w, "", sent, ev)
				continue
			}
			data := d.live.page()
			js, _ := json.Marshal(data) // plain data: cannot fail
			sent = data.Seconds - 1
			err = writeEvent(w, "replay", sent, js)
		}
		if err == nil && ended {
			err = writeEvent(w, "end", sent, []byte("{}"))
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil || ended {
			return
		}
		select {
		case <-wake:
		case <-req.Context().Done():
			return
		case <-d.done:
			return
		}
	}
}

// writeEvent writes one server-sent event: its name (none: "message"),
// its id and its one-line JSON data.
func writeEvent(w io.Writer, name string, id int64, data []byte) error {
	var b bytes.Buffer
	if name != "" {
		fmt.Fprintf(&b, "event: %s\n", name)
	}
	fmt.Fprintf(&b, "id: %d\ndata: %s\n\n", id, data)
	_, err := w.Write(b.Bytes())
	return err
}
