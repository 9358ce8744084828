package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/merge"
)

// lineWriter writes one JSON object per line, each with a single write so
// that a reader never sees half a record.
type lineWriter struct {
	w      io.Writer
	close  func() error
	buf    []byte
	failed uint64
}

func openOutput(path string) (*lineWriter, error) {
	if path == "-" || path == "" {
		return &lineWriter{w: os.Stdout, close: func() error { return nil }}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open output: %w", err)
	}
	return &lineWriter{w: f, close: f.Close}, nil
}

func (o *lineWriter) write(r merge.OomInstance) {
	b, err := json.Marshal(r)
	if err != nil {
		log.WithError(err).Error("encode record")
		return
	}
	o.buf = append(append(o.buf[:0], b...), '\n')
	if _, err := o.w.Write(o.buf); err != nil {
		o.failed++
		log.WithError(err).WithField("record", string(b)).Warn("write record failed")
	}
}
