// Command driver runs oomtrace's kernel matrix scenarios inside a test VM
// and turns the VMs' serial logs into a table on the host.
//
// In the VM (as the initramfs's /init runs it) it provokes OOM kills in
// memory cgroups it creates, and a global one, and compares oomtrace's
// JSON lines with the kernel's own truth: the "Killed process" lines it
// reads from /dev/kmsg itself, the cgroups' oom_kill counters and
// /proc/vmstat. It never uses oomtrace's packages. Each scenario ends in
// one "OOMTRACE-RESULT {json}" line on the console.
//
//	driver run --cgroup v1|v2          (in the VM)
//	driver table LOG...                (on the host)
package main

import (
	"fmt"
	"os"
)

func main() {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(runHelper(spec))
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: driver run --cgroup v1|v2 | driver table LOG...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		os.Exit(runGuest(os.Args[2:]))
	case "table":
		os.Exit(printTable(os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
	os.Exit(2)
}
