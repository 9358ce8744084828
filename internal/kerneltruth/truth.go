// Package kerneltruth reads what the kernel itself says about OOM kills:
// the "Killed process" lines and oom-kill summaries in /dev/kmsg, with a
// deliberately small parser of its own, and the oom_kill counters. The
// end-to-end tests and the VM test driver compare oomtrace's records with
// it; oomtrace itself must never use it, or the tests would check the
// product against itself.
package kerneltruth

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Summary is what the kernel's oom-kill line said about one victim.
type Summary struct {
	Constraint, OomCgroup, VictimCgroup string
	Global                              bool
}

var (
	killedLine  = regexp.MustCompile(`Killed process (\d+) \(`)
	summaryLine = regexp.MustCompile(`^oom-kill:constraint=(\w+),.*?` +
		`(?:,oom_memcg=(.*)|(,global_oom)),task_memcg=(.*),task=.*,pid=(\d+),uid=\d+$`)
)

// Log follows /dev/kmsg from the moment it was opened, all along: a burst
// of OOM reports overruns the kernel's ring buffer within seconds.
type Log struct {
	fd      int
	stopc   chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	pids    []int
	summary map[int]Summary
	raw     bytes.Buffer
	overrun bool
	err     error
}

// Open starts reading at the end of the ring buffer.
func Open() (*Log, error) {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/kmsg: %w", err)
	}
	if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("seek /dev/kmsg: %w", err)
	}
	k := &Log{fd: fd, stopc: make(chan struct{}), done: make(chan struct{}),
		summary: map[int]Summary{}}
	go k.follow()
	return k, nil
}

func (k *Log) follow() {
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

func (k *Log) record(raw string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.raw.WriteString(raw)
	header, text, _ := strings.Cut(raw, ";")
	prio, _ := strconv.Atoi(strings.SplitN(header, ",", 2)[0])
	if prio>>3 != 0 {
		return // written by user space
	}
	text, _, _ = strings.Cut(text, "\n")
	if m := killedLine.FindStringSubmatch(text); m != nil {
		pid, _ := strconv.Atoi(m[1])
		k.pids = append(k.pids, pid)
	}
	if m := summaryLine.FindStringSubmatch(text); m != nil {
		pid, _ := strconv.Atoi(m[5])
		k.summary[pid] = Summary{Constraint: m[1], OomCgroup: m[2], Global: m[3] != "",
			VictimCgroup: m[4]}
	}
}

// Snapshot returns the pids of the kills read so far, without stopping. A
// Killed line reaches the log right after the kill, so a short pause first
// lets the reader catch up with what happened before the call.
func (k *Log) Snapshot() []int {
	time.Sleep(20 * time.Millisecond)
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.pids)
}

// Close stops reading, after the records already written, and returns the
// victims' pids in order and the summaries by pid. An overrun of the ring
// buffer is an error: the truth would be incomplete. Close can be called
// again; it returns the same.
func (k *Log) Close() ([]int, map[int]Summary, error) {
	time.Sleep(50 * time.Millisecond)
	select {
	case <-k.stopc:
	default:
		close(k.stopc)
		<-k.done
		unix.Close(k.fd)
	}
	<-k.done
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return nil, nil, fmt.Errorf("read /dev/kmsg: %w", k.err)
	}
	if k.overrun {
		return nil, nil, errors.New("kernel ring buffer overran the truth's reader: truth incomplete")
	}
	return slices.Clone(k.pids), k.summary, nil
}

// Raw returns every record read, as `cat /dev/kmsg` would have printed it.
func (k *Log) Raw() []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.raw.Bytes())
}

// MachineOomKills is the kernel's machine-wide count of OOM kills
// (/proc/vmstat oom_kill, 4.13 and later).
func MachineOomKills() (int, error) {
	b, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, errors.New("no oom_kill in /proc/vmstat")
}
