package probe

import (
	"bytes"
	"io/fs"
	"syscall"
)

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func inode(info fs.FileInfo) uint64 { return info.Sys().(*syscall.Stat_t).Ino }
