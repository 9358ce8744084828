package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/oomtrace/oomtrace/internal/oomload"
)

// helperEnv makes the driver act as a workload. "hog:MiB" allocates and
// touches MiB, says "ready" and sleeps; "alloc:MiB" touches MiB a MiB at a
// time with short pauses, then exits; "eat" touches memory without pause
// until it is killed. helperCgroupEnv names the cgroup directory the
// workload moves itself into first, helperAdjEnv its oom_score_adj (the
// driver runs at -1000, which children inherit).
const (
	helperEnv       = "OOMTRACE_VM_HELPER"
	helperCgroupEnv = "OOMTRACE_VM_CGROUP"
	helperAdjEnv    = "OOMTRACE_VM_ADJ"
)

func init() {
	// The allocating goroutine stays on the main thread, so the kernel's
	// trigger is the process leader.
	if os.Getenv(helperEnv) != "" {
		runtime.LockOSThread()
	}
}

func runHelper(spec string) int {
	adj := os.Getenv(helperAdjEnv)
	if adj == "" {
		adj = "0"
	}
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte(adj), 0); err != nil {
		fmt.Fprintln(os.Stderr, "oom_score_adj:", err)
		return 2
	}
	if dir := os.Getenv(helperCgroupEnv); dir != "" {
		err := os.WriteFile(dir+"/cgroup.procs", []byte(strconv.Itoa(os.Getpid())), 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "join cgroup:", err)
			return 2
		}
	}
	kind, size, _ := strings.Cut(spec, ":")
	mib := 0 // "eat": until killed
	if kind != string(oomload.Eat) {
		n, err := strconv.Atoi(size)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad helper spec", spec)
			return 2
		}
		mib = n
	}
	oomload.Run(oomload.Kind(kind), mib)
	return 0
}
