package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oomtrace/oomtrace/internal/kerneltruth"
)

// guest is the VM the driver runs in.
type guest struct {
	facts kernelFacts
	v1    bool
	mode  string // "v1" or "v2"
}

func runGuest(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	mode := fs.String("cgroup", "v2", "memory controller hierarchy the init mounted: v1 or v2")
	only := fs.String("only", "", "comma-separated scenarios to run (default: all)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// The driver and oomtrace (which inherits it) must outlive a global OOM.
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte("-1000"), 0); err != nil {
		fmt.Println("oom_score_adj:", err)
		return 1
	}
	g := guest{facts: readKernelFacts(), v1: *mode == "v1", mode: *mode}
	fmt.Printf("driver: kernel %s, cgroup %s, mark_victim extended=%v, bpf_task_from_pid=%v\n",
		g.facts.release, g.mode, g.facts.extended, g.facts.kfunc)

	best := g.facts.variants()[0]
	scenarios := []struct {
		name string
		run  func() result
	}{
		{"probe", g.probe},
		{"cross", g.cross},
		{"oom.group", g.group},
		{"global", g.global},
		{"burst", func() result {
			return g.burst("burst", want{ebpf: true, victimRequired: best != "tracepoint+pid",
				domainRequired: true}, "--mode", "auto")
		}},
		{"kmsg", func() result { return g.burst("kmsg", want{}, "--mode", "kmsg") }},
		{"tp_btf", func() result { return g.variant("tp_btf") }},
		{"tracepoint+kfunc", func() result { return g.variant("tracepoint+kfunc") }},
		{"tracepoint+pid", func() result { return g.variant("tracepoint+pid") }},
	}
	for _, s := range scenarios {
		if *only == "" || slices.Contains(strings.Split(*only, ","), s.name) {
			emit(s.run())
		}
	}
	fmt.Println(doneMarker)
	return 0
}

func (g guest) result(scenario string) result {
	return result{Kernel: g.facts.release, Cgroup: g.mode, Scenario: scenario}
}

// probe checks that --mode auto picks the best variant the kernel offers
// and logs it.
func (g guest) probe() result {
	r := g.result("probe")
	var v verdict
	tr, err := startTracer("--mode", "auto")
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	chosen, line := tr.variant()
	r.Variant = chosen
	expected := g.facts.variants()
	if chosen != expected[0] {
		v.errorf("auto chose %q, the kernel offers %v", chosen, expected)
	}
	v.notef("kernel offers %v (mark_victim extended=%v, bpf_task_from_pid=%v)",
		expected, g.facts.extended, g.facts.kfunc)
	v.notef("logged: %s", strings.TrimSpace(line))
	for _, l := range strings.Split(tr.log(), "\n") {
		if strings.Contains(l, "level=warn") {
			v.notef("logged: %s", strings.TrimSpace(l))
		}
	}
	if _, err := tr.stop(); err != nil {
		v.errorf("%v", err)
	}
	return v.finish(r)
}

// observe runs oomtrace with args around work and gathers the kernel's
// truth next to oomtrace's records. c's oom_kill counter is compared when
// c is not nil.
func observe(c *memcg, work func() error, args ...string) (*tracer, truth, []record, error) {
	tr, err := startTracer(args...)
	if err != nil {
		return nil, truth{}, nil, err
	}
	klog, err := kerneltruth.Open()
	if err != nil {
		tr.stop()
		return nil, truth{}, nil, err
	}
	t := truth{counted: -1}
	cgBefore, machineBefore := 0, machineOomKills()
	if c != nil {
		cgBefore = c.oomKills()
	}
	workErr := work()
	time.Sleep(500 * time.Millisecond)
	if c != nil {
		t.counted = c.oomKills() - cgBefore
	}
	t.machine = machineOomKills() - machineBefore
	t.pids, t.summary, err = klog.Close()
	if err != nil {
		tr.stop()
		return nil, t, nil, err
	}
	recs, err := tr.stop()
	if err == nil {
		err = workErr
	}
	return tr, t, recs, err
}

// burst provokes a burst of kills of allocators in a 32 MiB cgroup with
// oomtrace run with args, and wants every kill reported once, as w says.
func (g guest) burst(scenario string, w want, args ...string) result {
	r := g.result(scenario)
	var v verdict
	c, err := rootMemcg(g.v1).child("vmtest-"+strings.ReplaceAll(scenario, "+", "-"), 32<<20)
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	defer c.remove()
	var killed int
	tr, t, recs, err := observe(&c, func() (err error) {
		killed, err = burst(c, 2, 6*time.Second)
		return err
	}, args...)
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	r.Kills, r.Records = len(t.pids), len(recs)
	r.Variant, _ = tr.variant()
	t.consistent(&v)
	if killed != len(t.pids) {
		v.errorf("truth: %d allocators died of SIGKILL, the log has %d Killed lines",
			killed, len(t.pids))
	}
	if len(t.pids) < 10 {
		v.errorf("only %d kills: not a burst", len(t.pids))
	}
	exactlyOnce(&v, recs, t.pids)
	w.victim, w.domain, w.constraint = c.rel, c.rel, "CONSTRAINT_MEMCG"
	for _, rec := range recs {
		w.check(&v, rec)
	}
	victimUnknown, domainUnknown := unknowns(recs)
	v.notef("%d kills, %d kernel summaries (rate limit), %d records; unknown victim_cgroup %d, oom_cgroup %d",
		len(t.pids), len(t.summary), len(recs), victimUnknown, domainUnknown)
	v.notef("oomtrace: %s", lastLine(tr.log()))
	return v.finish(r)
}

// variant runs the burst with one probe variant forced, where the kernel
// offers it; elsewhere it wants oomtrace to refuse it.
func (g guest) variant(name string) result {
	offered := slices.Contains(g.facts.variants(), name)
	if !offered {
		r := g.result(name)
		tr, err := startTracer("--mode", "ebpf", "--probe-variant", name)
		if err == nil {
			tr.stop()
			var v verdict
			v.errorf("oomtrace started with %s although the kernel lacks it", name)
			return v.finish(r)
		}
		r.Status = "SKIP"
		r.Detail = []string{"kernel lacks it; oomtrace refused: " + lastLine(err.Error())}
		return r
	}
	return g.burst(name, want{ebpf: true, variant: name,
		victimRequired: name != "tracepoint+pid", domainRequired: true},
		"--mode", "ebpf", "--probe-variant", name)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
