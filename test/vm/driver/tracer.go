package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

const oomtraceBin = "/bin/oomtrace"

// record is an output line as a consumer reads it.
type record struct {
	Tid          int      `json:"tid"`
	Pid          int      `json:"pid"`
	ProcessName  string   `json:"process_name"`
	Constraint   string   `json:"constraint"`
	OomCgroup    string   `json:"oom_cgroup"`
	VictimCgroup string   `json:"victim_cgroup"`
	SystemOOM    bool     `json:"system_oom"`
	TriggerPid   *int     `json:"trigger_pid"`
	TriggerTid   *int     `json:"trigger_tid"`
	ProbeVariant string   `json:"probe_variant"`
	Sources      []string `json:"sources"`
}

// tracer is a running oomtrace writing to a file.
type tracer struct {
	cmd    *exec.Cmd
	output string
	mu     sync.Mutex
	stderr bytes.Buffer
	ready  chan struct{}
	exited chan struct{}
}

type tracerLog struct{ t *tracer }

func (w tracerLog) Write(p []byte) (int, error) {
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

var outputs int

// startTracer runs oomtrace with args and waits until it says it runs.
// It inherits the driver's oom_score_adj of -1000.
func startTracer(args ...string) (*tracer, error) {
	outputs++
	tr := &tracer{output: fmt.Sprintf("/tmp/oom-%d.jsonl", outputs),
		ready: make(chan struct{}), exited: make(chan struct{})}
	tr.cmd = exec.Command(oomtraceBin, append([]string{"--output", tr.output}, args...)...)
	tr.cmd.Stderr = tracerLog{tr}
	if err := tr.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { tr.cmd.Wait(); close(tr.exited) }()
	select {
	case <-tr.ready:
		return tr, nil
	case <-tr.exited:
		return nil, fmt.Errorf("oomtrace %v exited (%v):\n%s", args, tr.cmd.ProcessState, tr.log())
	case <-time.After(60 * time.Second):
		tr.cmd.Process.Kill()
		<-tr.exited
		return nil, fmt.Errorf("oomtrace %v did not start:\n%s", args, tr.log())
	}
}

func (tr *tracer) log() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.stderr.String()
}

var variantField = regexp.MustCompile(`variant="?([a-z_+]+)`)

// variant is what oomtrace logged as the probe variant it attached, and
// the log line that said so.
func (tr *tracer) variant() (string, string) {
	for _, line := range strings.Split(tr.log(), "\n") {
		if strings.Contains(line, "eBPF probe attached to oom/mark_victim") {
			if m := variantField.FindStringSubmatch(line); m != nil {
				return m[1], line
			}
			return "", line
		}
	}
	return "", ""
}

// stop sends SIGTERM and returns the records.
func (tr *tracer) stop() ([]record, error) {
	tr.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-tr.exited:
	case <-time.After(60 * time.Second):
		tr.cmd.Process.Kill()
		<-tr.exited
		return nil, fmt.Errorf("oomtrace did not stop on SIGTERM:\n%s", tr.log())
	}
	if !tr.cmd.ProcessState.Success() {
		return nil, fmt.Errorf("oomtrace exit %v:\n%s", tr.cmd.ProcessState, tr.log())
	}
	f, err := os.Open(tr.output)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("output line is not a record: %v: %s", err, sc.Text())
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
