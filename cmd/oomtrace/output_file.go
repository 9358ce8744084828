package main

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// appendFile is the --output file, opened by path for appending. oomtrace
// must be its only writer: undoing a short write truncates the file's end.
type appendFile struct {
	path string
	f    *os.File
	// reserve is false once fallocate(2) failed for a reason other than
	// space: the file system cannot reserve (NFS, some FUSE), so a short
	// write is truncated away instead.
	reserve bool
}

func openAppendFile(path string) (*appendFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open output: %w", err)
	}
	return &appendFile{path: path, f: f, reserve: true}, nil
}

// deleted reports whether the open file has lost its last name (link count
// 0): whatever is written to it then is gone when it is closed.
func (a *appendFile) deleted() (bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(a.f.Fd()), &st); err != nil {
		return false, fmt.Errorf("stat output: %w", err)
	}
	return st.Nlink == 0, nil
}

// reopen opens the path anew, creating the file if it is gone, and closes
// the old file only once the new one is open.
func (a *appendFile) reopen() error {
	n, err := openAppendFile(a.path)
	if err != nil {
		return err
	}
	a.f.Close()
	*a = *n
	return nil
}

// write appends p with one write(2) and returns, with an error, how many
// bytes of p it had to leave in the file (0 unless the file system can
// neither reserve space nor be truncated).
//
// A full disk must not leave half a line for a reader: where fallocate
// works (ext4, xfs, btrfs, tmpfs) the space is reserved first, so the write
// fails before any byte lands; elsewhere the bytes of a short write are cut
// off again with ftruncate.
func (a *appendFile) write(p []byte) (int, error) {
	if a.reserve {
		if err := a.reserveSpace(len(p)); err != nil {
			return 0, err
		}
	}

	n, err := a.f.Write(p)
	if err == nil || n == 0 {
		return 0, err
	}
	st, serr := a.f.Stat()
	if serr != nil {
		return n, err
	}
	if terr := a.f.Truncate(st.Size() - int64(n)); terr != nil {
		return n, err
	}
	return 0, err
}

// reserveSpace allocates room for n more bytes past the end of the file
// without changing its size. Only running out of space (or quota, or an
// I/O error) is an error; a file system that cannot reserve turns the
// reservation off for good.
func (a *appendFile) reserveSpace(n int) error {
	var st unix.Stat_t
	fd := int(a.f.Fd())
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat output: %w", err)
	}
	err := unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, st.Size, int64(n))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOSPC), errors.Is(err, unix.EDQUOT),
		errors.Is(err, unix.EIO), errors.Is(err, unix.EFBIG):
		return &os.PathError{Op: "fallocate", Path: a.path, Err: err}
	default:
		a.reserve = false
		return nil
	}
}

func (a *appendFile) close() error { return a.f.Close() }
