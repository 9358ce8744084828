package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// spawn starts the driver itself as the workload spec inside c.
func spawn(c memcg, spec, adj string) (*exec.Cmd, error) {
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), helperEnv+"="+spec, helperCgroupEnv+"="+c.dir(),
		helperAdjEnv+"="+adj)
	if !strings.HasPrefix(spec, "hog") {
		return cmd, cmd.Start()
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ready <- sc.Scan() && sc.Text() == "ready"
	}()
	select {
	case ok := <-ready:
		if ok {
			return cmd, nil
		}
	case <-time.After(60 * time.Second):
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("%s in %s not ready", spec, c.rel)
}

// burst runs workers allocators in c, each started again when it dies,
// for d, and returns how many were killed.
func burst(c memcg, workers int, d time.Duration) (killed int, err error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				cmd, e := spawn(c, "alloc:64", "0")
				if e == nil {
					e = cmd.Wait()
				}
				mu.Lock()
				if ee, ok := e.(*exec.ExitError); ok {
					if ws, ok := ee.Sys().(syscall.WaitStatus); ok &&
						ws.Signaled() && ws.Signal() == syscall.SIGKILL {
						killed++
						e = nil
					}
				}
				if e != nil && err == nil {
					err = e
				}
				mu.Unlock()
				if e != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return killed, err
}
