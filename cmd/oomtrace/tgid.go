package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// procDir is where /proc is mounted; tests point it elsewhere.
var procDir = "/proc"

// freshKill is how old a logged kill may be for /proc to still speak of
// its victim: older, the pid may belong to another process by now.
const freshKill = time.Second

// resolveTgid finds the process of a victim the kernel log named by its
// task pid, which can be a thread. The victim is being killed, so this
// races with its exit; 0 when it is gone, the kill is not fresh, or the
// task found there has another comm (a pid reused).
func resolveTgid(k kmsg.Kill, now time.Duration) int {
	if d := now - k.SinceBoot; d > freshKill || d < -freshKill {
		return 0
	}
	dir := procDir + "/" + strconv.Itoa(k.Pid)
	comm, err := os.ReadFile(dir + "/comm")
	if err != nil || strings.TrimSuffix(string(comm), "\n") != k.Comm {
		return 0
	}
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}
