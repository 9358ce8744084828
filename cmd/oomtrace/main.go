// Command oomtrace reports every OOM kill on this host as one JSON line.
//
// It merges two sources: an eBPF program on the oom/mark_victim tracepoint
// (the exact victim, its cgroup and memory figures, for every kill) and the
// kernel log read from /dev/kmsg (the constraint, the cgroup whose limit was
// hit, the trigger). Diagnostics go to stderr, records to --output.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/probe"
)

type options struct {
	mode      string
	output    string
	logLevel  string
	variant   string
	mergeWait time.Duration
	state     string
	replay    bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("oomtrace", flag.ContinueOnError)
	fs.StringVar(&o.mode, "mode", "auto",
		"sources: auto (eBPF and kmsg, kmsg alone where eBPF cannot load), ebpf, kmsg")
	fs.StringVar(&o.output, "output", "-", "where JSON lines go: a file (appended) or - for stdout")
	fs.StringVar(&o.logLevel, "log-level", "info", "stderr diagnostics: debug, info, warn, error")
	fs.StringVar(&o.variant, "probe-variant", "auto",
		"eBPF program variant: auto, tp_btf, tracepoint+kfunc, tracepoint+pid")
	fs.DurationVar(&o.mergeWait, "merge-wait", time.Second,
		"how long a kill seen by one source waits for the other")
	fs.StringVar(&o.state, "state", "",
		"state file (boot id, last kernel-log record handled): within one boot a restart "+
			"catches up on kills missed while down, without repeating any")
	fs.BoolVar(&o.replay, "replay", false,
		"with no state for this boot, report the kills still in the kernel's ring buffer "+
			"instead of starting at its end")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch o.mode {
	case "auto", "ebpf", "kmsg":
	default:
		return o, fmt.Errorf("--mode %q: want auto, ebpf or kmsg", o.mode)
	}
	if o.output == "" {
		return o, fmt.Errorf("--output is empty: give a file, or - for stdout")
	}
	if o.mode == "kmsg" && o.variant != "auto" {
		return o, fmt.Errorf("--probe-variant %s needs eBPF, but --mode is kmsg", o.variant)
	}
	if o.mergeWait <= 0 {
		return o, fmt.Errorf("--merge-wait %v: must be positive", o.mergeWait)
	}
	return o, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "parse" {
		os.Exit(runParse(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	log.SetOutput(os.Stderr)
	log.SetFormatter(&log.TextFormatter{FullTimestamp: true})
	o, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oomtrace:", err)
		return 2
	}
	level, err := log.ParseLevel(o.logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oomtrace: --log-level:", err)
		return 2
	}
	log.SetLevel(level)
	variant, err := probe.ParseVariant(o.variant)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oomtrace: --probe-variant:", err)
		return 2
	}

	// A write to a pipe whose reader left fails with EPIPE instead of
	// killing the process; the writer then stops the daemon cleanly.
	signal.Ignore(syscall.SIGPIPE)
	out, err := openOutput(o.output)
	if err != nil {
		log.Error(err)
		return 1
	}
	defer out.close()

	// Caught from before "oomtrace running" is logged: a signal sent on
	// seeing that line must find the handler in place.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGHUP)
	d, err := startDaemon(o, variant, out)
	if err != nil {
		log.Error(err)
		return 1
	}
	return d.loop(sigs)
}
