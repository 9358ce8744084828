package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// vmstatPath holds the kernel's machine-wide count of OOM kills (4.13+).
var vmstatPath = "/proc/vmstat"

// kernelOomKills reads oom_kill from /proc/vmstat; false when the kernel
// has no such counter.
func kernelOomKills() (uint64, bool) {
	f, err := os.Open(vmstatPath)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// auditor compares what oomtrace reported with the kernel's own counter.
// The pipeline lags the counter by up to the merge wait, so a difference
// is only reported once it has held still across two looks.
type auditor struct {
	start, lastKernel uint64
	lastDiff          int64
	ok                bool
	warned            bool
}

func newAuditor() *auditor {
	n, ok := kernelOomKills()
	return &auditor{start: n, lastKernel: n, ok: ok}
}

// look returns the kernel's kills since start and, when a difference
// between them and reported has held since the last look, that difference
// (kernel minus reported) to warn about.
func (a *auditor) look(reported uint64) (kernel uint64, diff int64, warn bool) {
	if !a.ok {
		return 0, 0, false
	}
	n, ok := kernelOomKills()
	if !ok {
		return 0, 0, false
	}
	kernel = n - a.start
	diff = int64(kernel) - int64(reported)
	stable := n == a.lastKernel && diff == a.lastDiff
	warn = diff != 0 && stable && !a.warned
	a.warned = a.warned && diff != 0 || warn
	a.lastKernel, a.lastDiff = n, diff
	return kernel, diff, warn
}
