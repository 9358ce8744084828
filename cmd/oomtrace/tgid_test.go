package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

func TestResolveTgidOfAThread(t *testing.T) {
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		done <- syscall.Gettid()
		<-done
		runtime.UnlockOSThread()
	}()
	tid := <-done
	defer close(done)
	comm, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/comm")
	if err != nil {
		t.Fatal(err)
	}
	now := 10 * time.Second
	k := kmsg.Kill{Pid: tid, Comm: strings.TrimSpace(string(comm)), SinceBoot: now}
	if got := resolveTgid(k, now); got != os.Getpid() {
		t.Errorf("tgid of thread %d = %d, want %d", tid, got, os.Getpid())
	}
	if got := resolveTgid(k, now+2*time.Second); got != 0 {
		t.Errorf("stale kill resolved to %d", got)
	}
	k.Comm = "someone-else"
	if got := resolveTgid(k, now); got != 0 {
		t.Errorf("pid with another comm resolved to %d", got)
	}
}
