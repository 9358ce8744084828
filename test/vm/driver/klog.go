package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// kernelLog is the truth: the kernel's own "Killed process" lines and
// oom-kill summaries, read from /dev/kmsg with a parser of this driver's
// own, from the moment it was opened.
type kernelLog struct {
	fd      int
	stopc   chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	pids    []int
	summary map[int]summary
	overrun bool
	err     error
}

// summary is what the kernel's oom-kill line said about one victim.
type summary struct {
	constraint, oomCgroup, victimCgroup string
	global                              bool
}

var (
	killedLine  = regexp.MustCompile(`Killed process (\d+) \(`)
	summaryLine = regexp.MustCompile(`^oom-kill:constraint=(\w+),.*?` +
		`(?:,oom_memcg=(.*)|(,global_oom)),task_memcg=(.*),task=.*,pid=(\d+),uid=\d+$`)
)

func openKernelLog() (*kernelLog, error) {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/kmsg: %w", err)
	}
	if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("seek /dev/kmsg: %w", err)
	}
	k := &kernelLog{fd: fd, stopc: make(chan struct{}), done: make(chan struct{}),
		summary: map[int]summary{}}
	go k.follow()
	return k, nil
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
		pid, _ := strconv.Atoi(m[5])
		k.summary[pid] = summary{constraint: m[1], oomCgroup: m[2], global: m[3] != "",
			victimCgroup: m[4]}
	}
}

// close stops reading, after the records already written, and returns
// the victims' pids in order and the summaries by pid.
func (k *kernelLog) close() ([]int, map[int]summary, error) {
	time.Sleep(100 * time.Millisecond)
	select {
	case <-k.stopc:
	default:
		close(k.stopc)
	}
	<-k.done
	unix.Close(k.fd)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return nil, nil, fmt.Errorf("read /dev/kmsg: %w", k.err)
	}
	if k.overrun {
		return nil, nil, errors.New("kernel ring buffer overran the driver's reader: truth incomplete")
	}
	return slices.Clone(k.pids), k.summary, nil
}
