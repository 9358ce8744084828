package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The tools that watch the live kernel side by side during the scenarios.
type tools struct {
	auto, kmsg, cadvisor, bpftrace *tool
	// progs maps BPF program ids to the tool that loaded them: this
	// bpftool does not list the owning pids, so programs that appear while
	// a tool starts are taken for its own.
	progs map[int]string
}

// bpftraceProg prints the victim's pid and the name of the trigger's memory
// cgroup: in a memory cgroup OOM the trigger is the task whose charge
// failed, inside the bench's cgroup, so other workloads' kills can be told
// apart. The memory controller's index is read from /proc/cgroups.
func bpftraceProg() string {
	return fmt.Sprintf(`BEGIN { printf("ready\n"); }
tracepoint:oom:mark_victim {
  printf("%%d %%s\n", args->pid, str(curtask->cgroups->subsys[%d]->cgroup->kn->name));
}`, memorySubsysID())
}

func memorySubsysID() int {
	b, _ := os.ReadFile("/proc/cgroups")
	id := 0
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.Fields(l)[0] == "memory" {
			return id
		}
		id++
	}
	return 4
}

func startTools(binary, self string) (*tools, error) {
	ts := tools{progs: map[int]string{}}
	before, err := bpfPrograms()
	if err != nil {
		return nil, err
	}
	if ts.auto, err = startTool("oomtrace-auto", "oomtrace running", binary, "--mode", "auto"); err != nil {
		return nil, err
	}
	ts.own(before, "oomtrace-auto")
	if ts.kmsg, err = startTool("oomtrace-kmsg", "oomtrace running", binary, "--mode", "kmsg"); err != nil {
		return nil, err
	}
	if ts.cadvisor, err = startTool("cadvisor-oomparser", "cadvisor-live running", self, "cadvisor-live"); err != nil {
		return nil, err
	}
	if before, err = bpfPrograms(); err != nil {
		return nil, err
	}
	if ts.bpftrace, err = startTool("bpftrace", "ready", "bpftrace", "-e", bpftraceProg()); err != nil {
		return nil, err
	}
	ts.own(before, "bpftrace")
	return &ts, nil
}

func (ts *tools) own(before map[int]bpfProg, name string) {
	now, _ := bpfPrograms()
	for id := range now {
		if _, ok := before[id]; !ok {
			ts.progs[id] = name
		}
	}
}

func (ts *tools) all() []*tool { return []*tool{ts.auto, ts.kmsg, ts.cadvisor, ts.bpftrace} }

func (ts *tools) stop() {
	for _, t := range ts.all() {
		if t != nil {
			t.stop()
		}
	}
}

// scenario is one workload shape.
type scenario struct {
	name     string
	limitMiB int
	runs     int
	work     func(memcg)
}

var stressSingle = []string{"stress-ng", "--vm", "1", "--vm-bytes", "64M", "--oomable",
	"--timeout", "10s", "--quiet"}
var stressBurst = []string{"stress-ng", "--vm", "4", "--vm-bytes", "64M", "--vm-populate",
	"--timeout", "3s", "--quiet"}

var scenarios = []scenario{
	{"single kill", 32, 3, func(c memcg) { runIn(c, stressSingle...) }},
	{"~10 kills/s", 64, 3, func(c memcg) {
		// one single-kill stress-ng started every 100 ms for 3 s
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() { runIn(c, stressSingle...) })
			time.Sleep(100 * time.Millisecond)
		}
		wg.Wait()
	}},
	{"burst", 16, 3, func(c memcg) { runIn(c, stressBurst...) }},
}

// oomRecord is the part of an oomtrace or cadvisor-live line the bench reads.
type oomRecord struct {
	Pid          int    `json:"pid"`
	Tid          int    `json:"tid"`
	Time         string `json:"time"`
	VictimCgroup string `json:"victim_cgroup"`
	OomCgroup    string `json:"oom_cgroup"`
}

// runResult is one scenario run: the kernel's count and what each tool
// reported of it.
type runResult struct {
	scenario     string
	kernel       int
	durationS    float64
	foreign      int // kills elsewhere on the machine during the run
	found        map[string]int
	latencyAuto  []float64 // ms
	latencyKmsg  []float64
	killRatePerS float64
}

// settle covers oomtrace's merge wait (1 s) and the tools' reading.
const settle = 2500 * time.Millisecond

func runScenario(ts *tools, own memcg, sc scenario, i int) (runResult, error) {
	name := fmt.Sprintf("ombench-%d-%s-%d", os.Getpid(), strings.Fields(sc.name)[0], i)
	name = strings.NewReplacer("~", "r").Replace(name)
	c, err := newMemcg(own, name, sc.limitMiB)
	if err != nil {
		return runResult{}, err
	}
	defer c.remove()

	machine := machineOomKills()
	from := time.Now()
	sc.work(c)
	took := time.Since(from)
	time.Sleep(settle)
	to := time.Now()

	r := runResult{scenario: sc.name, kernel: c.oomKills(), durationS: took.Seconds(),
		found: map[string]int{}}
	r.foreign = machineOomKills() - machine - r.kernel
	r.killRatePerS = float64(r.kernel) / took.Seconds()

	// bpftrace and eBPF-backed records name the cgroup on every kill.
	ours := map[int]bool{}
	bpf := map[int]bool{}
	for _, l := range ts.bpftrace.between(from, to) {
		f := strings.Fields(l.text)
		if len(f) == 2 && f[1] == c.leaf() {
			pid, _ := strconv.Atoi(f[0])
			bpf[pid], ours[pid] = true, true
		}
	}
	auto := map[int]bool{}
	for _, l := range ts.auto.between(from, to) {
		rec, ok := decode(l)
		if ok && (rec.VictimCgroup == c.rel || rec.OomCgroup == c.rel) {
			auto[rec.Tid], ours[rec.Tid] = true, true
			r.latencyAuto = append(r.latencyAuto, latencyMs(rec, l))
		}
	}
	// The kernel log names the cgroup only when the report was printed;
	// rate-limited kills are matched by pid against the eBPF tools' kills.
	kmsg := map[int]bool{}
	for _, l := range ts.kmsg.between(from, to) {
		rec, ok := decode(l)
		if ok && (rec.VictimCgroup == c.rel || rec.OomCgroup == c.rel ||
			(rec.VictimCgroup == "" && ours[rec.Tid])) {
			kmsg[rec.Tid] = true
			r.latencyKmsg = append(r.latencyKmsg, latencyMs(rec, l))
		}
	}
	cad := map[int]bool{}
	for _, l := range ts.cadvisor.between(from, to) {
		rec, ok := decode(l)
		if ok && (rec.VictimCgroup == c.rel || rec.OomCgroup == c.rel || ours[rec.Pid]) {
			cad[rec.Pid] = true
		}
	}
	r.found["oomtrace --mode auto"] = len(auto)
	r.found["oomtrace --mode kmsg"] = len(kmsg)
	r.found["cAdvisor oomparser"] = len(cad)
	r.found["bpftrace mark_victim"] = len(bpf)
	return r, nil
}

func decode(l line) (oomRecord, bool) {
	var rec oomRecord
	if json.Unmarshal([]byte(l.text), &rec) != nil {
		return rec, false
	}
	if rec.Tid == 0 {
		rec.Tid = rec.Pid
	}
	return rec, true
}

// latencyMs is the time from the kill (the record's time) to the line's
// arrival at the bench.
func latencyMs(rec oomRecord, l line) float64 {
	t, err := time.Parse(time.RFC3339Nano, rec.Time)
	if err != nil {
		return -1
	}
	return float64(l.arrival.Sub(t).Microseconds()) / 1000
}
