package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// record is an output line as a consumer reads it, decoded without the
// product's own types.
type record struct {
	Time               string   `json:"time"`
	ID                 string   `json:"id"`
	Replayed           bool     `json:"replayed"`
	Pid                int      `json:"pid"`
	Tid                int      `json:"tid"`
	ProcessName        string   `json:"process_name"`
	Constraint         string   `json:"constraint"`
	OomCgroup          string   `json:"oom_cgroup"`
	VictimCgroup       string   `json:"victim_cgroup"`
	SystemOOM          bool     `json:"system_oom"`
	TriggerPid         *int     `json:"trigger_pid"`
	TriggerTid         *int     `json:"trigger_tid"`
	TriggerProcessName string   `json:"trigger_process_name"`
	AnonRSSKiB         *uint64  `json:"anon_rss_kb"`
	Sources            []string `json:"sources"`
}

// tracer is a running oomtrace.
type tracer struct {
	cmd    *exec.Cmd
	output string
	mu     sync.Mutex
	stderr bytes.Buffer
	ready  chan struct{}
}

// lockedWriter lets the test read stderr while the process writes it.
type lockedWriter struct{ t *tracer }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	n, err := w.t.stderr.Write(p)
	if strings.Contains(w.t.stderr.String(), "oomtrace running") {
		select {
		case <-w.t.ready:
		default:
			close(w.t.ready)
		}
	}
	return n, err
}

// startTracer runs oomtrace with args, writing to a new file, and waits
// until it says it runs.
func startTracer(t *testing.T, args ...string) *tracer {
	t.Helper()
	return startTracerAt(t, filepath.Join(t.TempDir(), "oom.jsonl"), args...)
}

// startTracerAt is startTracer with the output file given.
func startTracerAt(t *testing.T, output string, args ...string) *tracer {
	t.Helper()
	tr := &tracer{output: output, ready: make(chan struct{})}
	tr.cmd = exec.Command(binary, append([]string{"--output", tr.output}, args...)...)
	tr.cmd.Stderr = lockedWriter{tr}
	if err := tr.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if tr.cmd.ProcessState == nil {
			tr.cmd.Process.Kill()
			tr.cmd.Wait()
		}
	})
	select {
	case <-tr.ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("oomtrace did not start:\n%s", tr.log())
	}
	return tr
}

func (tr *tracer) log() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.stderr.String()
}

// stop sends SIGTERM, expects exit status 0 and returns the records.
func (tr *tracer) stop(t *testing.T) []record {
	t.Helper()
	if err := tr.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- tr.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("oomtrace exit: %v\n%s", err, tr.log())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("oomtrace did not stop on SIGTERM:\n%s", tr.log())
	}
	return readRecords(t, tr.output)
}

func readRecords(t *testing.T, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("output line is not a record: %v: %s", err, sc.Text())
		}
		out = append(out, r)
	}
	return out
}

// inCgroup runs name args inside c and waits for it.
func inCgroup(t *testing.T, c memcg, name string, args ...string) {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c",
		`echo $$ > "$0/cgroup.procs" && exec "$@"`, c.dir(), name}, args...)...)
	out, err := cmd.CombinedOutput()
	// stress-ng reports failure when its workers are OOM-killed; that is
	// the point here, so only a failure to start counts.
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}
