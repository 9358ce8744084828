package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// state is what survives a restart: the boot it belongs to and the last
// kernel-log sequence number up to which every kill has been written.
type state struct {
	BootID  string    `json:"boot_id"`
	KmsgSeq uint64    `json:"kmsg_seq"`
	Updated time.Time `json:"updated"`
}

// bootIDPath is where the kernel tells this boot's random id.
var bootIDPath = "/proc/sys/kernel/random/boot_id"

func readBootID() (string, error) {
	b, err := os.ReadFile(bootIDPath)
	if err != nil {
		return "", fmt.Errorf("read boot id: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if id == "" {
		return "", errors.New("read boot id: empty")
	}
	return id, nil
}

// loadState reads the state file. A missing file is no state; a damaged
// one is an error the caller turns into a Warn and a fresh start.
func loadState(path string) (state, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return state{}, false, nil
	}
	if err != nil {
		return state{}, false, fmt.Errorf("read state: %w", err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return state{}, false, fmt.Errorf("state file %s damaged: %w", path, err)
	}
	if s.BootID == "" {
		return state{}, false, fmt.Errorf("state file %s damaged: no boot id", path)
	}
	return s, true, nil
}

// saveState writes the state atomically: a temporary file in the same
// directory, synced, then renamed over the old one, so a crash leaves
// either the old state or the new, never half of one.
func saveState(path string, s state) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".oomtrace-state-*")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace state: %w", err)
	}
	return nil
}

// lockState takes an exclusive lock beside the state file for the life of
// the process: two instances sharing one state would each write every kill
// and overwrite each other's progress.
func lockState(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("state %s is in use by another oomtrace", path)
		}
		return nil, fmt.Errorf("state lock: %w", err)
	}
	return f, nil
}

// lastKernelSeq reads the kernel log to its end and returns the last
// sequence number in it; false when it cannot be read.
func lastKernelSeq() (uint64, bool) {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return 0, false
	}
	defer unix.Close(fd)
	buf := make([]byte, 8192)
	var last uint64
	found := false
	for {
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EPIPE) {
			continue
		}
		if err != nil || n == 0 {
			return last, found
		}
		if r, err := kmsg.ParseRecord(buf[:n]); err == nil {
			last, found = r.Seq, true
		}
	}
}
