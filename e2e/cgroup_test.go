package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// memcg is a memory cgroup the test created below its own.
type memcg struct {
	v1   bool
	root string // mount point of the memory hierarchy
	rel  string // path below root, as the kernel log prints it
}

func (c memcg) dir() string { return filepath.Join(c.root, c.rel) }

// ownMemcg finds the memory controller's hierarchy and this process's place
// in it, read directly from /proc (not through oomtrace's code).
func ownMemcg(t *testing.T) memcg {
	t.Helper()
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var c memcg
	for _, line := range strings.Split(strings.TrimSpace(string(cg)), "\n") {
		parts := strings.SplitN(line, ":", 3)
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
	c.root = mountOf(t, c.v1)
	return c
}

func mountOf(t *testing.T, v1 bool) string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, _ := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if len(fields) < 5 || len(tail) < 3 {
			continue
		}
		if v1 && tail[0] == "cgroup" && strings.Contains(","+tail[2]+",", ",memory,") {
			return fields[4]
		}
		if !v1 && tail[0] == "cgroup2" {
			return fields[4]
		}
	}
	t.Fatal("memory cgroup hierarchy not mounted")
	return ""
}

// newMemcg creates parent/name below c with a memory limit (0: none) and
// removes it when the test ends, after killing what is left inside.
func newMemcg(t *testing.T, parent memcg, name string, limitBytes int64) memcg {
	t.Helper()
	c := parent
	c.rel = filepath.Join(parent.rel, name)
	if !c.v1 {
		enableMemoryController(t, parent)
	}
	if err := os.Mkdir(c.dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeMemcg(t, c) })
	if limitBytes > 0 {
		file := "memory.max"
		if c.v1 {
			file = "memory.limit_in_bytes"
		}
		write(t, filepath.Join(c.dir(), file), strconv.FormatInt(limitBytes, 10))
	}
	if !c.v1 {
		write(t, filepath.Join(c.dir(), "memory.swap.max"), "0")
	}
	return c
}

func enableMemoryController(t *testing.T, c memcg) {
	t.Helper()
	ctl := filepath.Join(c.dir(), "cgroup.subtree_control")
	b, _ := os.ReadFile(ctl)
	if strings.Contains(string(b), "memory") {
		return
	}
	if err := os.WriteFile(ctl, []byte("+memory"), 0); err != nil {
		t.Fatalf("enable memory controller below %s: %v (a cgroup v2 parent "+
			"holding processes cannot delegate it)", c.rel, err)
	}
}

func removeMemcg(t *testing.T, c memcg) {
	for attempt := 0; attempt < 50; attempt++ {
		killAll(c)
		entries, _ := os.ReadDir(c.dir())
		for _, e := range entries {
			if e.IsDir() {
				removeMemcg(t, memcg{v1: c.v1, root: c.root, rel: filepath.Join(c.rel, e.Name())})
			}
		}
		if err := os.Remove(c.dir()); err == nil || os.IsNotExist(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("could not remove cgroup %s", c.dir())
}

func killAll(c memcg) {
	b, _ := os.ReadFile(filepath.Join(c.dir(), "cgroup.procs"))
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			_ = killPid(pid)
		}
	}
}

// oomKills is the kernel's own per-cgroup count of OOM kills.
func (c memcg) oomKills(t *testing.T) int {
	t.Helper()
	file := "memory.events"
	if c.v1 {
		file = "memory.oom_control"
	}
	b, err := os.ReadFile(filepath.Join(c.dir(), file))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no oom_kill in %s", file)
	return 0
}

func write(t *testing.T, path, value string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(value), 0); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

func (c memcg) String() string { return fmt.Sprintf("%s (v1=%v)", c.rel, c.v1) }
