// Command bench measures oomtrace against cAdvisor's oomparser and a
// bpftrace one-liner (and tries bcc's oomkill) and writes BENCHMARKS.md.
// It needs root, stress-ng, bpftrace and bpftool; `make bench` installs them.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	repo, out            string
	records, count, runs int
	seed                 uint64
	longKills            int
	longDeadline         time.Duration
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "cadvisor-live" {
		if err := cadvisorLive(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	flag.StringVar(&cfg.repo, "repo", "..", "oomtrace repository")
	flag.StringVar(&cfg.out, "out", "../BENCHMARKS.md", "report to write")
	flag.IntVar(&cfg.records, "records", 1_000_000, "records in the generated kernel log")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated kernel log")
	flag.IntVar(&cfg.count, "count", 5, "repetitions of each timed figure")
	flag.IntVar(&cfg.runs, "runs", 3, "runs of each live scenario")
	flag.IntVar(&cfg.longKills, "long-kills", 10_000, "kills in the footprint run")
	flag.DurationVar(&cfg.longDeadline, "long-deadline", 4*time.Minute, "cap on the footprint run")
	flag.Parse()
	quietKlog()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(cfg config) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("run as root (OOM kills in a cgroup, eBPF, /dev/kmsg)")
	}
	repo, err := filepath.Abs(cfg.repo)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ombench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rep := &report{cfg: cfg, began: time.Now(), machine: describeMachine()}

	logf("generating %d records (seed %d)", cfg.records, cfg.seed)
	c := generateCorpus(cfg.seed, cfg.records)
	rep.corpus = c
	logf("oomtrace parser: go test -bench, %d runs", cfg.count)
	if rep.parser, err = runOomtraceParser(repo, dir, c, cfg.count); err != nil {
		return err
	}
	logf("cAdvisor parser, %d runs", cfg.count)
	for range cfg.count {
		r, err := runCadvisorOffline(c)
		if err != nil {
			return err
		}
		rep.cadvisor = append(rep.cadvisor, r)
	}
	rep.corpus.records = nil // let the GC have it before the live part

	binary := filepath.Join(dir, "oomtrace")
	build := exec.Command("go", "build", "-o", binary, "./cmd/oomtrace")
	build.Dir, build.Stderr = repo, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build oomtrace: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	return live(cfg, rep, binary, self)
}

func live(cfg config, rep *report, binary, self string) error {
	own, err := ownMemcg()
	if err != nil {
		return err
	}
	logf("start-up, %d runs each", cfg.count)
	startups := map[string][]string{
		"oomtrace --mode auto": {binary, "--mode", "auto"},
		"oomtrace --mode kmsg": {binary, "--mode", "kmsg"},
		"bpftrace mark_victim": {"bpftrace", "-e", bpftraceProg()},
	}
	rep.startup = map[string][]float64{}
	for range cfg.count {
		for name, argv := range startups {
			ready := "oomtrace running"
			if argv[0] == "bpftrace" {
				ready = "ready"
			}
			t, err := startTool(name, ready, argv...)
			if err != nil {
				return err
			}
			rep.startup[name] = append(rep.startup[name], float64(t.startup.Microseconds())/1000)
			t.stop()
		}
	}

	logf("bcc oomkill")
	rep.bcc = tryBCC(own)

	ts, err := startTools(binary, self)
	if err != nil {
		return err
	}
	defer ts.stop()
	time.Sleep(2 * time.Second)
	rep.idle = map[string]usage{}
	for _, t := range ts.all() {
		rep.idle[t.name] = t.usage()
	}

	for _, sc := range scenarios {
		for i := range cfg.runs {
			logf("scenario %s, run %d", sc.name, i+1)
			r, err := runScenario(ts, own, sc, i)
			if err != nil {
				return err
			}
			rep.runs = append(rep.runs, r)
		}
	}

	restore, old, err := enableBPFStats()
	if err != nil {
		return fmt.Errorf("enable BPF statistics: %w", err)
	}
	rep.bpfStatsOld = old
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		restore()
		ts.stop()
		os.Exit(1)
	}()
	defer restore()

	logf("footprint run: up to %d kills", cfg.longKills)
	before, err := bpfPrograms()
	if err != nil {
		return err
	}
	var cur atomic.Pointer[memcg]
	sm := startSampler(ts, func() int {
		if c := cur.Load(); c != nil {
			return max(0, c.oomKills())
		}
		return 0
	}, 2*time.Second)
	long := longRun(cfg.longKills, cfg.longDeadline)
	work := long.work
	long.work = func(c memcg) { cur.Store(&c); work(c) }
	r, err := runScenario(ts, own, long, 0)
	samples := sm.finish()
	after, err2 := bpfPrograms()
	if err := restore(); err != nil {
		return fmt.Errorf("restore %s to %s: %w", bpfStatsSysctl, old, err)
	}
	if err != nil {
		return err
	}
	if err2 != nil {
		return err2
	}
	rep.long, rep.samples = r, samples
	rep.bpf = bpfCosts(ts, before, after)
	rep.final = map[string]usage{}
	for _, t := range ts.all() {
		rep.final[t.name] = t.usage()
	}
	rep.ended = time.Now()
	logf("writing %s", cfg.out)
	return os.WriteFile(cfg.out, []byte(rep.markdown()), 0o644)
}
