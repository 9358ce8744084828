package e2e

import (
	"os"
	"syscall"
	"testing"

	"github.com/oomtrace/oomtrace/internal/kerneltruth"
)

// kernelLog is the truth the records are compared with: the kernel's own
// log, read all along from when the test opened it (internal/kerneltruth).
type kernelLog struct{ *kerneltruth.Log }

func openKernelLog(t *testing.T) *kernelLog {
	t.Helper()
	k, err := kerneltruth.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return &kernelLog{k}
}

// snapshot returns the pids of the kills read so far, without stopping.
func (k *kernelLog) snapshot() []int { return k.Snapshot() }

// kills stops reading and returns the pids of the "Killed process" lines
// in order, and the kernel's summaries by pid.
func (k *kernelLog) kills(t *testing.T) ([]int, map[int]kerneltruth.Summary) {
	t.Helper()
	pids, summaries, err := k.Close()
	if err != nil {
		t.Fatal(err)
	}
	return pids, summaries
}

// machineOomKills is the kernel's machine-wide count of OOM kills.
func machineOomKills(t *testing.T) int {
	t.Helper()
	n, err := kerneltruth.MachineOomKills()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func killPid(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(syscall.SIGKILL)
}
