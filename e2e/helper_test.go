package e2e

import (
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/oomtrace/oomtrace/internal/oomload"
)

// helperEnv makes the test binary act as a workload: "hog:MiB" allocates
// and touches MiB, says "ready" and sleeps; "alloc:MiB" allocates and
// touches MiB page by page, then exits; "named:HEX:MiB" first renames every
// thread to the bytes HEX encodes, then allocates.
const helperEnv = "OOMTRACE_E2E_HELPER"

func init() {
	// Keep the allocating goroutine on the main thread, so the task the
	// kernel names as trigger is the process leader.
	if os.Getenv(helperEnv) != "" {
		runtime.LockOSThread()
	}
}

func runHelper(spec string) int {
	if rest, ok := strings.CutPrefix(spec, "named:"); ok {
		name, size, _ := strings.Cut(rest, ":")
		if err := setComm(name); err != nil {
			fmt.Fprintln(os.Stderr, "set comm:", err)
			return 2
		}
		spec = "alloc:" + size
	}
	kind, size, _ := strings.Cut(spec, ":")
	mib, err := strconv.Atoi(size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad helper spec", spec)
		return 2
	}
	oomload.Run(oomload.Kind(kind), mib)
	return 0
}

// setComm writes the comm of every thread of this process, so that
// whichever the kernel names carries the name.
func setComm(hexName string) error {
	name, err := hex.DecodeString(hexName)
	if err != nil {
		return err
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, task := range tasks {
		err := os.WriteFile("/proc/self/task/"+task.Name()+"/comm", name, 0)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
