package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"syscall"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/merge"
)

// lineWriter writes one JSON object per line, each with a single write, so
// that a reader never sees half a record, and keeps what it could not write.
//
// A failed write (disk full, quota, I/O error, file deleted) loses nothing
// at first: the record and every later one wait in memory, oldest first,
// within maxQueuedLines and maxQueuedBytes, and go out in order on the next
// write or retry. Past those bounds the oldest are dropped and counted. One
// warning marks the start of a failure streak and one line its end. A file
// never keeps part of a line (see appendFile.write); on a stream a short
// write is completed by the next attempt.
//
// A file given by path is reopened by path on reopen (logrotate's move and
// SIGHUP), after a failed write, and when it has been deleted (link count
// 0), so that records land in a file a person can find.
//
// Stdout cannot be reopened. When it is a pipe whose reader has gone
// (EPIPE: `oomtrace | head -1`) nothing will ever read what follows, so
// the writer discards the rest and closes readerGone; the daemon then stops
// as on SIGTERM and exits 0, as a filter in a pipeline does once its reader
// is satisfied. That needs SIGPIPE ignored (signal.Ignore(syscall.SIGPIPE)),
// else Go's runtime kills the process at the first write to a broken stdout.
//
// The methods are safe for concurrent use.
type lineWriter struct {
	mu   sync.Mutex
	w    io.Writer   // stdout or a test's writer; nil when file is set
	file *appendFile // the --output file; nil for stdout

	queue   lineQueue
	partial int // bytes of the oldest queued line already written

	written uint64
	failed  uint64 // failed write attempts
	dropped uint64

	reopenDue   bool // reopen the file before the next attempt
	failing     bool // in a failure streak, already warned
	streakDrops uint64
	gone        chan struct{}
	isGone      bool
	closed      bool
}

// outputStats are the writer's counters, for the shutdown summary.
type outputStats struct {
	Written uint64 // records written
	Failed  uint64 // write attempts that failed (a record can fail often)
	Queued  uint64 // records in memory now, waiting for a retry
	// Dropped counts records lost: pushed out of a full queue, or written
	// after stdout's reader had gone.
	Dropped uint64
}

// openOutput opens path for appending, or stdout for "-" or "".
func openOutput(path string) (*lineWriter, error) {
	if path == "-" || path == "" {
		return newStreamWriter(os.Stdout), nil
	}
	f, err := openAppendFile(path)
	if err != nil {
		return nil, err
	}
	o := newStreamWriter(nil)
	o.file = f
	return o, nil
}

// newStreamWriter writes to w, which cannot be reopened.
func newStreamWriter(w io.Writer) *lineWriter {
	return &lineWriter{
		w:     w,
		queue: newLineQueue(maxQueuedLines, maxQueuedBytes),
		gone:  make(chan struct{}),
	}
}

// write queues the record behind any that wait and writes what it can.
func (o *lineWriter) write(r merge.OomInstance) {
	b, err := json.Marshal(r)
	if err != nil {
		log.WithError(err).Error("encode record")
		return
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	if o.isGone || o.closed {
		o.dropped++
		return
	}
	line := make([]byte, 0, len(b)+1)
	o.enqueue(append(append(line, b...), '\n'))
	o.flush()
}

// reopen opens the --output file by its path again, for logrotate's
// move-and-SIGHUP, and writes what waits. A no-op for stdout. A failure is
// logged and retried on the next write or retry.
func (o *lineWriter) reopen() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file == nil || o.closed {
		return
	}
	o.reopenDue = true
	if o.reopenFile() {
		log.WithField("output", o.file.path).Info("output reopened")
	}
	o.flush()
}

// retry writes what waits in memory, after reopening the file if it was
// deleted or a write failed. The daemon calls it periodically; it costs an
// fstat when nothing waits.
func (o *lineWriter) retry() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.flush()
}

// readerGone is closed when stdout's reader has gone (EPIPE): the daemon
// should then stop. It never closes for a file.
func (o *lineWriter) readerGone() <-chan struct{} { return o.gone }

// stats returns the counters.
func (o *lineWriter) stats() outputStats {
	o.mu.Lock()
	defer o.mu.Unlock()
	return outputStats{Written: o.written, Failed: o.failed,
		Queued: uint64(o.queue.len()), Dropped: o.dropped}
}

// close makes a last attempt to write what waits, reports what could not
// be written and closes the file. Later writes are dropped.
func (o *lineWriter) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.flush()
	o.closed = true

	if n := o.queue.len(); n > 0 {
		log.WithFields(log.Fields{"unwritten": n, "dropped": o.dropped}).
			Error("output: records could not be written before exit and are lost")
	}
	if o.file == nil {
		return nil
	}
	return o.file.close()
}

func (o *lineWriter) enqueue(line []byte) {
	n := o.queue.push(line)
	if n == 0 {
		return
	}
	o.dropped += uint64(n)
	if o.streakDrops == 0 {
		log.WithField("limit", o.queue.maxLines).
			Warn("output queue full: dropping the oldest records until writes succeed")
	}
	o.streakDrops += uint64(n)
}

// flush writes the queue, oldest first, until it is empty or a write fails.
func (o *lineWriter) flush() {
	if o.isGone {
		return
	}
	if o.file != nil && !o.checkFile() {
		return
	}

	for o.queue.len() > 0 {
		line := o.queue.front()
		n, err := o.writeLine(line[o.partial:])
		if err != nil {
			o.partial += n
			o.fail(err)
			return
		}
		o.partial = 0
		o.queue.pop()
		o.written++
	}

	if o.failing {
		log.WithField("dropped", o.streakDrops).Info("output writable again")
		o.failing, o.streakDrops = false, 0
	}
}

// checkFile reopens the file when a reopen is due or it was deleted, and
// reports whether there is a file to write to.
func (o *lineWriter) checkFile() bool {
	if !o.reopenDue {
		deleted, err := o.file.deleted()
		if err != nil {
			o.fail(err)
			return false
		}
		if deleted {
			log.WithField("output", o.file.path).Warn("output file was deleted; creating it again")
			o.reopenDue = true
		}
	}
	if o.reopenDue {
		return o.reopenFile()
	}
	return true
}

// reopenFile opens the file by path; on failure the old one stays and the
// reopen is due again at the next attempt.
func (o *lineWriter) reopenFile() bool {
	if err := o.file.reopen(); err != nil {
		o.fail(err)
		return false
	}
	o.reopenDue, o.partial = false, 0
	return true
}

func (o *lineWriter) writeLine(p []byte) (int, error) {
	if o.file != nil {
		return o.file.write(p)
	}
	return o.w.Write(p)
}

// fail counts a failed attempt and warns at the start of a streak. EPIPE
// on a stream means its reader is gone for good.
func (o *lineWriter) fail(err error) {
	o.failed++
	if o.file == nil && errors.Is(err, syscall.EPIPE) {
		o.isGone = true
		o.dropped += uint64(o.queue.discard())
		close(o.gone)
		log.Info("output: stdout's reader has gone (broken pipe); stopping")
		return
	}
	if o.file != nil {
		o.reopenDue = true
	}
	if o.failing {
		return
	}
	o.failing = true
	log.WithError(err).WithFields(log.Fields{"queued": o.queue.len(),
		"queue_limit": o.queue.maxLines}).
		Warn("output write failed: keeping records in memory and retrying")
}
