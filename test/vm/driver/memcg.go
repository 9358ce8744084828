package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// memcg is a memory cgroup the driver created, on the hierarchy the
// initramfs mounted: v2 at /sys/fs/cgroup, v1 (memory controller alone) at
// /sys/fs/cgroup/memory.
type memcg struct {
	v1   bool
	root string
	rel  string // below root, as the kernel prints it
}

func rootMemcg(v1 bool) memcg {
	if v1 {
		return memcg{v1: true, root: "/sys/fs/cgroup/memory", rel: "/"}
	}
	return memcg{root: "/sys/fs/cgroup", rel: "/"}
}

func (c memcg) dir() string { return filepath.Join(c.root, c.rel) }

// child creates c/name with a memory limit (0: none) and no swap.
func (c memcg) child(name string, limitBytes int64) (memcg, error) {
	n := c
	n.rel = filepath.Join(c.rel, name)
	if c.v1 {
		// Before 5.11 a v1 child does not count against its parent's
		// limit unless the parent says so.
		_ = os.WriteFile(filepath.Join(c.dir(), "memory.use_hierarchy"), []byte("1"), 0)
	} else if err := c.delegate(); err != nil {
		return n, err
	}
	if err := os.Mkdir(n.dir(), 0o755); err != nil {
		return n, err
	}
	if limitBytes > 0 {
		file := "memory.max"
		if c.v1 {
			file = "memory.limit_in_bytes"
		}
		if err := n.write(file, strconv.FormatInt(limitBytes, 10)); err != nil {
			return n, err
		}
	}
	if !c.v1 {
		if err := n.write("memory.swap.max", "0"); err != nil && !os.IsNotExist(err) {
			return n, err
		}
	}
	return n, nil
}

func (c memcg) delegate() error {
	b, _ := os.ReadFile(filepath.Join(c.dir(), "cgroup.subtree_control"))
	if strings.Contains(string(b), "memory") {
		return nil
	}
	return c.write("cgroup.subtree_control", "+memory")
}

func (c memcg) write(file, value string) error {
	if err := os.WriteFile(filepath.Join(c.dir(), file), []byte(value), 0); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(c.rel, file), err)
	}
	return nil
}

// counter reads key from a flat keyed file of the cgroup (memory.events,
// memory.oom_control); -1 when absent.
func (c memcg) counter(file, key string) int {
	return keyed(filepath.Join(c.dir(), file), key)
}

// oomKills is the kernel's own count of OOM kills in the cgroup and below.
// v2's memory.events is hierarchical; v1 counts a kill in the victim's own
// cgroup only, so the subtree is summed.
func (c memcg) oomKills() int {
	if !c.v1 {
		return c.counter("memory.events", "oom_kill")
	}
	n := c.counter("memory.oom_control", "oom_kill")
	entries, _ := os.ReadDir(c.dir())
	for _, e := range entries {
		if e.IsDir() {
			sub := c
			sub.rel = filepath.Join(c.rel, e.Name())
			n += sub.oomKills()
		}
	}
	return n
}

// remove kills what is left in c and below and removes the directories.
func (c memcg) remove() {
	for attempt := 0; attempt < 50; attempt++ {
		b, _ := os.ReadFile(filepath.Join(c.dir(), "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		entries, _ := os.ReadDir(c.dir())
		for _, e := range entries {
			if e.IsDir() {
				sub := c
				sub.rel = filepath.Join(c.rel, e.Name())
				sub.remove()
			}
		}
		if err := os.Remove(c.dir()); err == nil || os.IsNotExist(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func keyed(path, key string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// machineOomKills is /proc/vmstat's oom_kill.
func machineOomKills() int { return keyed("/proc/vmstat", "oom_kill") }
