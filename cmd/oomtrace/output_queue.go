package main

// Bounds of the records held in memory while the output cannot be written.
// A record is 400 to 700 bytes, so 10,000 of them are about 6 MiB: minutes
// of the worst OOM burst seen, or hours of a busy host. The byte bound only
// matters for records with very long cgroup paths.
const (
	maxQueuedLines = 10000
	maxQueuedBytes = 8 << 20
)

// lineQueue holds encoded lines, oldest first, within a count and a byte
// bound. When a push would exceed either, the oldest lines make room.
type lineQueue struct {
	lines    [][]byte
	head     int // lines[:head] are already popped
	bytes    int
	maxLines int
	maxBytes int
}

func newLineQueue(maxLines, maxBytes int) lineQueue {
	return lineQueue{maxLines: maxLines, maxBytes: maxBytes}
}

func (q *lineQueue) len() int { return len(q.lines) - q.head }

// front is the oldest line; the queue must not be empty.
func (q *lineQueue) front() []byte { return q.lines[q.head] }

// pop removes the oldest line.
func (q *lineQueue) pop() {
	q.bytes -= len(q.lines[q.head])
	q.lines[q.head] = nil
	q.head++

	// Reuse the array once half of it is dead, so that a long failure
	// streak does not grow it without bound.
	if q.head == len(q.lines) {
		q.lines, q.head = q.lines[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.lines) {
		n := copy(q.lines, q.lines[q.head:])
		clear(q.lines[n:])
		q.lines, q.head = q.lines[:n], 0
	}
}

// push appends line, which the queue then owns, and returns how many of
// the oldest lines it dropped. The newest line is always kept.
func (q *lineQueue) push(line []byte) (dropped int) {
	q.lines = append(q.lines, line)
	q.bytes += len(line)
	for q.len() > 1 && (q.len() > q.maxLines || q.bytes > q.maxBytes) {
		q.pop()
		dropped++
	}
	return dropped
}

// discard empties the queue and returns how many lines it held.
func (q *lineQueue) discard() int {
	n := q.len()
	for q.len() > 0 {
		q.pop()
	}
	return n
}
