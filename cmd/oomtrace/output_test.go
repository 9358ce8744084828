package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	log "github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/oomtrace/oomtrace/internal/merge"
)

func testRecord(pid int) merge.OomInstance {
	return merge.OomInstance{Pid: pid, Tid: pid, ProcessName: "stress-ng-vm",
		ContainerName: "/app/worker", VictimContainerName: "/app",
		Constraint: "CONSTRAINT_MEMCG", Sources: []string{"ebpf"}}
}

func writeRecords(o *lineWriter, from, to int) {
	for pid := from; pid <= to; pid++ {
		o.write(testRecord(pid))
	}
}

func pidRange(from, to int) []int {
	var pids []int
	for pid := from; pid <= to; pid++ {
		pids = append(pids, pid)
	}
	return pids
}

// parseLines returns the pids of b's records and fails on anything that is
// not a whole JSON line.
func parseLines(t *testing.T, b []byte) []int {
	t.Helper()
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("output ends in a partial line: %q", b[max(0, len(b)-80):])
	}
	var pids []int
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var r struct{ Pid int }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not a whole record: %v: %q", len(pids)+1, err, sc.Text())
		}
		pids = append(pids, r.Pid)
	}
	return pids
}

func filePids(t *testing.T, path string) []int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseLines(t, b)
}

func TestLineWriterFile(t *testing.T) {
	tests := []struct {
		name string
		// between runs after records 1-3 are written; 4-6 follow.
		between func(t *testing.T, o *lineWriter, path string)
		want    map[string][]int // file name below the directory -> pids
	}{{
		name:    "append",
		between: func(*testing.T, *lineWriter, string) {},
		want:    map[string][]int{"oom.jsonl": pidRange(1, 6)},
	}, {
		name:    "reopen without rotation",
		between: func(_ *testing.T, o *lineWriter, _ string) { o.reopen() },
		want:    map[string][]int{"oom.jsonl": pidRange(1, 6)},
	}, {
		name: "rename and reopen (logrotate)",
		between: func(t *testing.T, o *lineWriter, path string) {
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			o.reopen()
		},
		want: map[string][]int{"oom.jsonl.1": pidRange(1, 3), "oom.jsonl": pidRange(4, 6)},
	}, {
		name: "deleted file recreated by retry",
		between: func(t *testing.T, o *lineWriter, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			o.retry()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("retry did not create the deleted file again: %v", err)
			}
		},
		want: map[string][]int{"oom.jsonl": pidRange(4, 6)},
	}, {
		name: "deleted file recreated by write",
		between: func(t *testing.T, _ *lineWriter, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		},
		want: map[string][]int{"oom.jsonl": pidRange(4, 6)},
	}, {
		name: "directory gone, records kept until it is back",
		between: func(t *testing.T, o *lineWriter, path string) {
			dir := filepath.Dir(path)
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			writeRecords(o, 100, 102)
			if s := o.stats(); s.Queued != 3 || s.Failed == 0 {
				t.Errorf("with the directory gone: stats %+v, want 3 queued and failures", s)
			}
			if err := os.Mkdir(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			o.retry()
		},
		want: map[string][]int{"oom.jsonl": append(pidRange(100, 102), pidRange(4, 6)...)},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "log")
			if err := os.Mkdir(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "oom.jsonl")
			o, err := openOutput(path)
			if err != nil {
				t.Fatal(err)
			}
			defer o.close()

			writeRecords(o, 1, 3)
			tt.between(t, o, path)
			writeRecords(o, 4, 6)

			for name, want := range tt.want {
				if got := filePids(t, filepath.Join(dir, name)); !slices.Equal(got, want) {
					t.Errorf("%s holds %v, want %v", name, got, want)
				}
			}
			if s := o.stats(); s.Queued != 0 || s.Dropped != 0 {
				t.Errorf("stats %+v: want nothing queued or dropped", s)
			}
		})
	}
}

// flakyWriter fails its first failures writes, writing short bytes of each
// (or none), and records every successful write.
type flakyWriter struct {
	failures int
	short    int
	calls    int
	out      bytes.Buffer
	writes   [][]byte
}

func (w *flakyWriter) Write(p []byte) (int, error) {
	w.calls++
	if w.calls <= w.failures {
		n := min(w.short, len(p))
		w.out.Write(p[:n])
		return n, syscall.ENOSPC
	}
	w.writes = append(w.writes, slices.Clone(p))
	w.out.Write(p)
	return len(p), nil
}

func TestLineWriterRetry(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		short    int
	}{
		{name: "no failure"},
		{name: "one failure", failures: 1},
		{name: "failures beyond the records", failures: 25},
		{name: "short writes resumed", failures: 4, short: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := logtest.NewGlobal()
			defer hook.Reset()
			w := &flakyWriter{failures: tt.failures, short: tt.short}
			o := newStreamWriter(w)

			writeRecords(o, 1, 10)
			for range 30 {
				o.retry()
			}

			if got := parseLines(t, w.out.Bytes()); !slices.Equal(got, pidRange(1, 10)) {
				t.Errorf("written %v, want 1 to 10 in order", got)
			}
			want := outputStats{Written: 10, Failed: uint64(tt.failures)}
			if s := o.stats(); s != want {
				t.Errorf("stats %+v, want %+v", s, want)
			}
			if tt.short == 0 {
				for _, p := range w.writes {
					if bytes.Count(p, []byte("\n")) != 1 || p[len(p)-1] != '\n' {
						t.Errorf("a write is not one whole line: %q", p)
					}
				}
			}
			warns, recovered := countLogs(hook, log.WarnLevel), countLogs(hook, log.InfoLevel)
			if tt.failures > 0 && (warns != 1 || recovered != 1) {
				t.Errorf("%d warnings and %d recoveries logged, want one of each", warns, recovered)
			}
			if tt.failures == 0 && warns+recovered != 0 {
				t.Errorf("logged %v without a failure", hook.AllEntries())
			}
		})
	}
}

func countLogs(hook *logtest.Hook, level log.Level) int {
	n := 0
	for _, e := range hook.AllEntries() {
		if e.Level == level {
			n++
		}
	}
	return n
}

func TestLineWriterOverflow(t *testing.T) {
	tests := []struct {
		name     string
		maxLines int
		maxBytes int
		records  int
		want     []int // what is written once the writer works again
	}{
		{name: "within bounds", maxLines: 5, maxBytes: 1 << 20, records: 5, want: pidRange(1, 5)},
		{name: "count bound", maxLines: 3, maxBytes: 1 << 20, records: 8, want: pidRange(6, 8)},
		{name: "byte bound", maxLines: 100, maxBytes: 1000, records: 8, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := logtest.NewGlobal()
			defer hook.Reset()
			w := &flakyWriter{failures: 1 << 30}
			o := newStreamWriter(w)
			o.queue = newLineQueue(tt.maxLines, tt.maxBytes)

			writeRecords(o, 1, tt.records)
			s := o.stats()
			if s.Queued+s.Dropped != uint64(tt.records) || s.Written != 0 {
				t.Fatalf("stats %+v: want all %d records queued or dropped", s, tt.records)
			}
			want := tt.want
			if want == nil { // byte bound: as many as fit, the newest
				want = pidRange(tt.records-int(s.Queued)+1, tt.records)
				if s.Queued == 0 || s.Queued >= uint64(tt.records) {
					t.Fatalf("byte bound kept %d of %d records", s.Queued, tt.records)
				}
			}
			if dropWarns := countLogs(hook, log.WarnLevel); s.Dropped > 0 && dropWarns != 2 {
				t.Errorf("%d warnings, want one for the failure and one for the drops", dropWarns)
			}

			w.failures = 0
			o.retry()
			if got := parseLines(t, w.out.Bytes()); !slices.Equal(got, want) {
				t.Errorf("written %v, want %v", got, want)
			}
			s = o.stats()
			if s.Dropped != uint64(tt.records-len(want)) || s.Queued != 0 {
				t.Errorf("stats %+v: want %d dropped, none queued", s, tt.records-len(want))
			}
		})
	}
}

func TestLineWriterBrokenPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	o := newStreamWriter(w)

	writeRecords(o, 1, 1)
	buf := make([]byte, 4096)
	n, err := r.Read(buf)
	if err != nil || len(parseLines(t, buf[:n])) != 1 {
		t.Fatalf("read %q, %v: want one record", buf[:n], err)
	}
	r.Close()
	select {
	case <-o.readerGone():
		t.Fatal("readerGone closed while the reader was there")
	default:
	}

	writeRecords(o, 2, 3)
	select {
	case <-o.readerGone():
	default:
		t.Fatal("readerGone still open after EPIPE")
	}
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
	want := outputStats{Written: 1, Failed: 1, Dropped: 2}
	if s := o.stats(); s != want {
		t.Errorf("stats %+v, want %+v", s, want)
	}
}

func TestLineWriterStdoutReopen(t *testing.T) {
	o, err := openOutput("-")
	if err != nil {
		t.Fatal(err)
	}
	o.reopen() // must neither panic nor touch stdout
	if s := o.stats(); s != (outputStats{}) {
		t.Errorf("stats %+v after reopen of stdout, want zero", s)
	}
}

func TestLineWriterCloseReportsUnwritten(t *testing.T) {
	hook := logtest.NewGlobal()
	defer hook.Reset()
	o := newStreamWriter(&flakyWriter{failures: 1 << 30})

	writeRecords(o, 1, 4)
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
	e := hook.LastEntry()
	if e == nil || e.Level != log.ErrorLevel || e.Data["unwritten"] != 4 {
		t.Errorf("last log %+v, want an error naming 4 unwritten records", e)
	}
	writeRecords(o, 5, 5)
	if s := o.stats(); s.Dropped != 1 || s.Queued != 4 {
		t.Errorf("stats %+v after close, want the late record dropped", s)
	}
}
