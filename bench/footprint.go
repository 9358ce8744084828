package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// sample is every tool's usage at one moment of the long run.
type sample struct {
	kills int
	usage map[string]usage
}

// sampler records usage every period until stopped.
type sampler struct {
	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	done    chan struct{}
}

func startSampler(ts *tools, kills func() int, period time.Duration) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			sm := sample{kills: kills(), usage: map[string]usage{}}
			for _, t := range ts.all() {
				sm.usage[t.name] = t.usage()
			}
			s.mu.Lock()
			s.samples = append(s.samples, sm)
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) finish() []sample {
	close(s.stop)
	<-s.done
	return s.samples
}

// longRun is the footprint scenario: bursts in one cgroup until the kernel
// counted target kills there, or the deadline.
func longRun(target int, deadline time.Duration) scenario {
	return scenario{name: fmt.Sprintf("%d kills", target), limitMiB: 16, runs: 1,
		work: func(c memcg) {
			end := time.Now().Add(deadline)
			for c.oomKills() < target && time.Now().Before(end) {
				runIn(c, stressBurst...)
			}
		}}
}

// bpfProg is one program of `bpftool prog show --json`.
type bpfProg struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	RunTimeNs uint64 `json:"run_time_ns"`
	RunCnt    uint64 `json:"run_cnt"`
}

func bpfPrograms() (map[int]bpfProg, error) {
	out, err := exec.Command("bpftool", "--json", "prog", "show").Output()
	if err != nil {
		return nil, fmt.Errorf("bpftool prog show: %w", err)
	}
	var progs []bpfProg
	if err := json.Unmarshal(out, &progs); err != nil {
		return nil, err
	}
	m := map[int]bpfProg{}
	for _, p := range progs {
		m[p.ID] = p
	}
	return m, nil
}

// progCost is one program's kernel run time per event over the long run.
type progCost struct {
	tool, name     string
	events         uint64
	nsPerEvent     float64
	totalRunTimeMs float64
}

func bpfCosts(ts *tools, before, after map[int]bpfProg) []progCost {
	var costs []progCost
	for id, a := range after {
		who := ts.progs[id]
		if who == "" {
			continue
		}
		b := before[id]
		n := a.RunCnt - b.RunCnt
		c := progCost{tool: who, name: a.Name, events: n,
			totalRunTimeMs: float64(a.RunTimeNs-b.RunTimeNs) / 1e6}
		if n > 0 {
			c.nsPerEvent = float64(a.RunTimeNs-b.RunTimeNs) / float64(n)
		}
		costs = append(costs, c)
	}
	return costs
}

const bpfStatsSysctl = "/proc/sys/kernel/bpf_stats_enabled"

// enableBPFStats turns on the kernel's BPF run-time statistics and returns
// a function that writes back the exact previous value.
func enableBPFStats() (restore func() error, old string, err error) {
	b, err := os.ReadFile(bpfStatsSysctl)
	if err != nil {
		return nil, "", err
	}
	old = strings.TrimSpace(string(b))
	if err := os.WriteFile(bpfStatsSysctl, []byte("1"), 0); err != nil {
		return nil, old, err
	}
	return func() error { return os.WriteFile(bpfStatsSysctl, []byte(old), 0) }, old, nil
}

// tryBCC runs bcc's oomkill for a few seconds, with a single kill in a
// cgroup of the bench while it runs, and returns what it printed.
func tryBCC(own memcg) string {
	path, err := exec.LookPath("oomkill-bpfcc")
	if err != nil {
		path = "/usr/sbin/oomkill-bpfcc"
	}
	t, err := startTool("bcc-oomkill", "Tracing OOM kills", path)
	if err != nil {
		return "did not start: " + firstLines(err.Error(), 6)
	}
	defer t.stop()
	c, err := newMemcg(own, fmt.Sprintf("ombench-%d-bcc", os.Getpid()), 32)
	if err != nil {
		return "started; could not create a cgroup: " + err.Error()
	}
	runIn(c, stressSingle...)
	kills := c.oomKills()
	c.remove()
	time.Sleep(time.Second)
	var out []string
	for _, l := range t.between(time.Time{}, time.Now()) {
		out = append(out, l.text)
	}
	return fmt.Sprintf("started (%v); %d kill(s) in its cgroup; printed: %s",
		t.startup.Round(time.Millisecond), kills, firstLines(strings.Join(out, "\n"), 6))
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, " / ")
}
