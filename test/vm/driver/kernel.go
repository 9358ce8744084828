package main

import (
	"os"
	"regexp"
	"strings"

	"golang.org/x/sys/unix"
)

// kernelFacts is what the running kernel offers, read from tracefs and
// kallsyms rather than from BTF, so that the expectation does not share
// oomtrace's way of deciding.
type kernelFacts struct {
	release  string
	extended bool // mark_victim carries the task (comm among its fields)
	kfunc    bool // bpf_task_from_pid is built in
}

var commField = regexp.MustCompile(`field:[^;]*[ \]]comm(\[\d+\])?;`)

func readKernelFacts() kernelFacts {
	var k kernelFacts
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		k.release = unix.ByteSliceToString(u.Release[:])
	}
	format, _ := os.ReadFile("/sys/kernel/tracing/events/oom/mark_victim/format")
	// "char comm[16]" or "__data_loc char[] comm"; not common_pid.
	k.extended = commField.Match(format)
	syms, _ := os.ReadFile("/proc/kallsyms")
	for _, line := range strings.Split(string(syms), "\n") {
		if strings.HasSuffix(line, " bpf_task_from_pid") {
			k.kfunc = true
			break
		}
	}
	return k
}

// variants lists, best first, the probe variants this kernel should load.
func (k kernelFacts) variants() []string {
	var out []string
	if k.extended {
		out = append(out, "tp_btf")
	}
	if k.kfunc {
		out = append(out, "tracepoint+kfunc")
	}
	return append(out, "tracepoint+pid")
}
