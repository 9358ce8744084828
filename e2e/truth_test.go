package e2e

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// kernelLog collects the kernel's own "Killed process" lines and report
// summaries from /dev/kmsg, with a deliberately small parser of its own, as
// the truth the product is compared with. It reads all along, since a burst
// of OOM reports overruns the ring buffer within seconds.
type kernelLog struct {
	fd      int
	stopc   chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	pids    []int
	summary map[int]summary
	overrun bool
	err     error
	raw     bytes.Buffer // every record read, as read
}

// summary is what the kernel's oom-kill summary line said about a victim.
type summary struct {
	oomCgroup, victimCgroup string
}

var (
	killedLine  = regexp.MustCompile(`Killed process (\d+) \(`)
	summaryLine = regexp.MustCompile(
		`^oom-kill:constraint=\w+,.*,oom_memcg=(.*),task_memcg=(.*),task=.*,pid=(\d+),uid=\d+$`)
)

// openKernelLog starts reading at the end of the ring buffer: only records
// written after this call count.
func openKernelLog(t *testing.T) *kernelLog {
	t.Helper()
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatalf("open /dev/kmsg: %v", err)
	}
	if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
		t.Fatalf("seek /dev/kmsg: %v", err)
	}
	k := &kernelLog{fd: fd, stopc: make(chan struct{}), done: make(chan struct{}),
		summary: map[int]summary{}}
	go k.follow()
	t.Cleanup(func() { k.stop(); unix.Close(fd) })
	return k
}

func (k *kernelLog) follow() {
	defer close(k.done)
	buf := make([]byte, 16384)
	for {
		n, err := unix.Read(k.fd, buf)
		switch {
		case errors.Is(err, syscall.EAGAIN):
			select {
			case <-k.stopc:
				return
			case <-time.After(5 * time.Millisecond):
			}
			continue
		case errors.Is(err, syscall.EPIPE):
			k.mu.Lock()
			k.overrun = true
			k.mu.Unlock()
			continue
		case err != nil:
			k.mu.Lock()
			k.err = err
			k.mu.Unlock()
			return
		}
		k.record(string(buf[:n]))
	}
}

func (k *kernelLog) record(raw string) {
	k.mu.Lock()
	k.raw.WriteString(raw)
	k.mu.Unlock()
	header, text, _ := strings.Cut(raw, ";")
	prio, _ := strconv.Atoi(strings.SplitN(header, ",", 2)[0])
	if prio>>3 != 0 {
		return // written by user space
	}
	text, _, _ = strings.Cut(text, "\n")
	k.mu.Lock()
	defer k.mu.Unlock()
	if m := killedLine.FindStringSubmatch(text); m != nil {
		pid, _ := strconv.Atoi(m[1])
		k.pids = append(k.pids, pid)
	}
	if m := summaryLine.FindStringSubmatch(text); m != nil {
		pid, _ := strconv.Atoi(m[3])
		k.summary[pid] = summary{oomCgroup: m[1], victimCgroup: m[2]}
	}
}

// snapshot returns the pids of the kills read so far, without stopping.
// A Killed line reaches the log right after the kill, so a short pause
// first lets the reader catch up with what happened before the call.
func (k *kernelLog) snapshot() []int {
	time.Sleep(20 * time.Millisecond)
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.pids)
}

func (k *kernelLog) stop() {
	select {
	case <-k.stopc:
	default:
		close(k.stopc)
	}
	<-k.done
}

// kills stops reading (after the records already written) and returns the
// pids of the "Killed process" lines in order, and the summaries by pid.
func (k *kernelLog) kills(t *testing.T) ([]int, map[int]summary) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	k.stop()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		t.Fatalf("read /dev/kmsg: %v", k.err)
	}
	if k.overrun {
		t.Fatal("kernel ring buffer overran the test's own reader: truth incomplete")
	}
	return k.pids, k.summary
}

func killPid(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(syscall.SIGKILL)
}

// machineOomKills is the kernel's machine-wide count of OOM kills.
func machineOomKills(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no oom_kill in /proc/vmstat")
	return 0
}
