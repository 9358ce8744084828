package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// memcg is a memory cgroup: the hierarchy's mount point and the path below
// it, as the kernel log prints it.
type memcg struct {
	v1        bool
	root, rel string
}

func (c memcg) dir() string  { return filepath.Join(c.root, c.rel) }
func (c memcg) leaf() string { return filepath.Base(c.rel) }

// ownMemcg is this process's memory cgroup (v1 memory controller or v2).
func ownMemcg() (memcg, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return memcg{}, err
	}
	var c memcg
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if strings.Contains(","+parts[1]+",", ",memory,") {
			c.v1, c.rel = true, parts[2]
			break
		}
		if parts[0] == "0" {
			c.rel = parts[2]
		}
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return memcg{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, _ := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if len(fields) < 5 || len(tail) < 3 {
			continue
		}
		if (c.v1 && tail[0] == "cgroup" && strings.Contains(","+tail[2]+",", ",memory,")) ||
			(!c.v1 && tail[0] == "cgroup2") {
			c.root = fields[4]
			return c, nil
		}
	}
	return memcg{}, fmt.Errorf("memory cgroup hierarchy not mounted")
}

// newMemcg creates name below parent with a memory limit and no swap.
func newMemcg(parent memcg, name string, limitMiB int) (memcg, error) {
	c := parent
	c.rel = filepath.Join(parent.rel, name)
	if !c.v1 {
		ctl := filepath.Join(parent.dir(), "cgroup.subtree_control")
		if b, _ := os.ReadFile(ctl); !strings.Contains(string(b), "memory") {
			if err := os.WriteFile(ctl, []byte("+memory"), 0); err != nil {
				return c, fmt.Errorf("enable memory controller: %w", err)
			}
		}
	}
	if err := os.Mkdir(c.dir(), 0o755); err != nil {
		return c, err
	}
	limit := strconv.Itoa(limitMiB << 20)
	files := map[string]string{"memory.max": limit, "memory.swap.max": "0"}
	if c.v1 {
		files = map[string]string{"memory.limit_in_bytes": limit}
	}
	for f, v := range files {
		if err := os.WriteFile(filepath.Join(c.dir(), f), []byte(v), 0); err != nil {
			c.remove()
			return c, fmt.Errorf("write %s: %w", f, err)
		}
	}
	return c, nil
}

// remove kills what is left in the cgroup and removes it.
func (c memcg) remove() {
	for range 50 {
		b, _ := os.ReadFile(filepath.Join(c.dir(), "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if err := os.Remove(c.dir()); err == nil || os.IsNotExist(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "could not remove cgroup %s\n", c.dir())
}

// oomKills is the kernel's count of OOM kills in the cgroup.
func (c memcg) oomKills() int {
	file := "memory.events"
	if c.v1 {
		file = "memory.oom_control"
	}
	return counter(filepath.Join(c.dir(), file), "oom_kill ")
}

func machineOomKills() int { return counter("/proc/vmstat", "oom_kill ") }

func counter(path, prefix string) int {
	b, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return -1
}

// runIn runs argv inside cgroup c (moved there before exec) and waits.
func runIn(c memcg, argv ...string) error {
	script := `echo $$ > "$0/cgroup.procs" && exec "$@"`
	cmd := exec.Command("sh", append([]string{"-c", script, c.dir()}, argv...)...)
	return cmd.Run()
}
