package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// line is one line a tool wrote on stdout, stamped with CLOCK_REALTIME when
// the bench read it from the pipe.
type line struct {
	arrival time.Time
	text    string
}

// tool is a running tracer whose output the bench reads as it is written.
type tool struct {
	name    string
	cmd     *exec.Cmd
	startup time.Duration
	mu      sync.Mutex
	lines   []line
	stderr  []string
	exited  chan struct{}
}

// startTool execs argv and waits until ready appears on stdout or stderr:
// the time from exec to that line is the tool's start-up.
func startTool(name, ready string, argv ...string) (*tool, error) {
	t := &tool{name: name, cmd: exec.Command(argv[0], argv[1:]...), exited: make(chan struct{})}
	stdout, err := t.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := t.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	readyCh := make(chan struct{})
	var once sync.Once
	watch := func(r io.Reader, out bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			now := time.Now()
			text := sc.Text()
			t.mu.Lock()
			if out {
				t.lines = append(t.lines, line{now, text})
			} else if len(t.stderr) < 200 {
				t.stderr = append(t.stderr, text)
			}
			t.mu.Unlock()
			if strings.Contains(text, ready) {
				once.Do(func() { close(readyCh) })
			}
		}
	}
	begin := time.Now()
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	go watch(stdout, true)
	go watch(stderr, false)
	go func() { t.cmd.Wait(); close(t.exited) }()
	select {
	case <-readyCh:
		t.startup = time.Since(begin)
		return t, nil
	case <-t.exited:
		return nil, fmt.Errorf("%s exited before ready: %s", name, t.stderrText())
	case <-time.After(60 * time.Second):
		t.stop()
		return nil, fmt.Errorf("%s not ready after 60 s: %s", name, t.stderrText())
	}
}

func (t *tool) stderrText() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.stderr, "\n")
}

// since returns the stdout lines that arrived in [from, to).
func (t *tool) between(from, to time.Time) []line {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []line
	for _, l := range t.lines {
		if !l.arrival.Before(from) && l.arrival.Before(to) {
			out = append(out, l)
		}
	}
	return out
}

// stop sends SIGTERM (SIGINT for bpftrace) and waits up to 10 s.
func (t *tool) stop() {
	sig := syscall.SIGTERM
	if t.name == "bpftrace" {
		sig = syscall.SIGINT
	}
	t.cmd.Process.Signal(sig)
	select {
	case <-t.exited:
	case <-time.After(10 * time.Second):
		t.cmd.Process.Kill()
		<-t.exited
	}
}

// usage is a process's resident set and CPU time so far.
type usage struct {
	rssKiB int
	cpu    time.Duration
}

func (t *tool) usage() usage {
	pid := t.cmd.Process.Pid
	var u usage
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				u.rssKiB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(fields) > 12 {
			ut, _ := strconv.Atoi(fields[11])
			st, _ := strconv.Atoi(fields[12])
			u.cpu = time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
		}
	}
	return u
}
