package offline

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// ErrUnsupported is wrapped by Decompress's errors for inputs that are
// not text this package reads.
var ErrUnsupported = errors.New("unsupported input")

// magics name inputs recognised by their first bytes that are not read,
// with what to do instead.
var magics = []struct {
	prefix []byte
	what   string
}{
	{[]byte("LPKSHHRH"), "a systemd journal file: convert it with " +
		"journalctl -k -o short-iso --file FILE"},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd-compressed: decompress it first (zstd -dc)"},
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0}, "xz-compressed: decompress it first (xz -dc)"},
	{[]byte("BZh"), "bzip2-compressed: decompress it first (bzip2 -dc)"},
}

// Decompress returns r's text: gunzipped when r starts with gzip's magic
// bytes (whatever the file is called; concatenated members are read as
// one), else r itself. Inputs known not to be text (journal files, other
// compressors) are refused with a hint.
func Decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(8)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read: %w", err)
	}
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, m.prefix) {
			return nil, fmt.Errorf("%w: %s", ErrUnsupported, m.what)
		}
	}
	return br, nil
}
