package probe

import (
	"io/fs"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// pathCache maps cgroup ids (kernfs ids, the inode numbers of the cgroup
// directories on 64-bit kernels) to paths by walking the memory
// controller's hierarchy. It serves the rare path deeper than the kernel
// side copies; a miss rescans at most once a second, and the map is dropped
// whole when it grows past maxEntries so that it stays bounded.
type pathCache struct {
	root     string
	mu       sync.Mutex
	paths    map[uint64]string
	lastScan time.Time
}

const maxPathEntries = 65536

func newPathCache(root string) *pathCache {
	return &pathCache{root: root, paths: map[uint64]string{}}
}

func (c *pathCache) lookup(id uint64) (string, bool) {
	if c == nil || c.root == "" {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.paths[id]; ok {
		return p, true
	}
	if time.Since(c.lastScan) < time.Second {
		return "", false
	}
	c.scan()
	p, ok := c.paths[id]
	return p, ok
}

func (c *pathCache) scan() {
	c.lastScan = time.Now()
	if len(c.paths) > maxPathEntries {
		c.paths = map[uint64]string{}
	}
	filepath.WalkDir(c.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		rel, _ := filepath.Rel(c.root, path)
		c.paths[st.Ino] = filepath.Clean("/" + rel)
		return nil
	})
}
