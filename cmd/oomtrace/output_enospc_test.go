package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// mountSmallTmpfs mounts a 64 KiB tmpfs on a new directory below the
// test's temporary directory and unmounts it at the end.
func mountSmallTmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs; CI runs as root")
	}
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("needs root to mount a small tmpfs; CI runs as root: mount: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// TestLineWriterDiskFull fills a real file system: the file holds whole
// lines only, and what did not fit is written, in order, once there is
// room again.
func TestLineWriterDiskFull(t *testing.T) {
	tests := []struct {
		name    string
		reserve bool // fallocate first; else a short write is cut off
	}{
		{name: "space reserved", reserve: true},
		{name: "short write truncated", reserve: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mountSmallTmpfs(t)
			filler := filepath.Join(dir, "filler")
			if err := os.WriteFile(filler, make([]byte, 40<<10), 0o600); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "oom.jsonl")
			o, err := openOutput(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { o.close() }) // before the unmount
			o.file.reserve = tt.reserve

			pid := 0
			for o.stats().Queued < 5 && pid < 5000 {
				pid++
				writeRecords(o, pid, pid)
			}
			s := o.stats()
			if s.Queued < 5 || s.Failed == 0 {
				t.Fatalf("stats %+v after %d records: the disk never filled", s, pid)
			}
			got := filePids(t, path)
			if !slices.Equal(got, pidRange(1, int(s.Written))) {
				t.Fatalf("full disk: file holds %d records, not 1 to %d", len(got), s.Written)
			}

			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			o.retry()
			writeRecords(o, pid+1, pid+10)

			if got := filePids(t, path); !slices.Equal(got, pidRange(1, pid+10)) {
				t.Errorf("after room was made: file holds %d records, not 1 to %d in order",
					len(got), pid+10)
			}
			want := outputStats{Written: uint64(pid + 10), Failed: s.Failed}
			if s := o.stats(); s != want {
				t.Errorf("stats %+v, want %+v", s, want)
			}
		})
	}
}
