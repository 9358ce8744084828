// Package oomload is the memory workload the end-to-end tests and the VM
// driver get OOM-killed: a process touches memory a MiB at a time, as the
// kernel's charge path sees a real program do. It is test support; the
// product does not use it.
package oomload

import (
	"fmt"
	"time"
)

// Kind says how a workload behaves.
type Kind string

const (
	// Alloc touches its memory a MiB every 2 ms, then returns.
	Alloc Kind = "alloc"
	// Hog touches its memory at once, prints "ready" and sleeps.
	Hog Kind = "hog"
	// Eat touches memory at once until it is killed.
	Eat Kind = "eat"
)

var sink [][]byte

// Run touches mib MiB (Eat: without end) and behaves as kind says.
func Run(kind Kind, mib int) {
	for i := 0; kind == Eat || i < mib; i++ {
		chunk := make([]byte, 1<<20)
		for j := 0; j < len(chunk); j += 4096 {
			chunk[j] = 1
		}
		sink = append(sink, chunk)
		if kind == Alloc {
			time.Sleep(2 * time.Millisecond)
		}
	}
	if kind == Hog {
		fmt.Println("ready")
		time.Sleep(time.Hour)
	}
}
