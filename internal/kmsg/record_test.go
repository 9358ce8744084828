package kmsg

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Record
	}{
		{
			name: "plain",
			raw:  "6,2565,102258085667,-;docker0: port 2(veth1) entered blocking state\n",
			want: Record{Facility: 0, Level: 6, Seq: 2565,
				SinceBoot: 102258085667 * time.Microsecond,
				Text:      "docker0: port 2(veth1) entered blocking state"},
		},
		{
			name: "caller and continuation lines",
			raw: "3,17,5000,-,caller=T123;usb 1-1: new device\n" +
				" SUBSYSTEM=usb\n DEVICE=c189:1\n",
			want: Record{Level: 3, Seq: 17, SinceBoot: 5 * time.Millisecond,
				Caller: "T123", Text: "usb 1-1: new device"},
		},
		{
			name: "cpu caller and unknown fields",
			raw:  "4,18,1,c,caller=C2,future=1;x",
			want: Record{Level: 4, Seq: 18, SinceBoot: time.Microsecond, Caller: "C2", Text: "x"},
		},
		{
			name: "user facility",
			raw:  "12,19,2,-;hello",
			want: Record{Facility: 1, Level: 4, Seq: 19, SinceBoot: 2 * time.Microsecond,
				Text: "hello"},
		},
		{
			name: "no flag field",
			raw:  "6,20,3;old",
			want: Record{Level: 6, Seq: 20, SinceBoot: 3 * time.Microsecond, Text: "old"},
		},
		{
			name: "escapes and semicolons in text",
			raw:  `6,21,4,-;a\x5cb\x0ac;d\xe2\x98\x83`,
			want: Record{Level: 6, Seq: 21, SinceBoot: 4 * time.Microsecond,
				Text: "a\\b\nc;d\u2603"},
		},
		{
			name: "empty text",
			raw:  "6,22,5,-;",
			want: Record{Level: 6, Seq: 22, SinceBoot: 5 * time.Microsecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord([]byte(tt.raw))
			if err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRecordMalformed(t *testing.T) {
	tests := []struct{ name, raw, errText string }{
		{"empty", "", "no ';'"},
		{"no semicolon", "6,1,2,-", "no ';'"},
		{"header on two lines", "6,1\n,2,-;x", "spans lines"},
		{"no sequence", "6;x", "empty sequence number"},
		{"no timestamp", "6,1;x", "empty timestamp"},
		{"bad priority", "x,1,2,-;x", "bad priority"},
		{"negative priority", "-6,1,2,-;x", "bad priority"},
		{"huge priority", "99999999999,1,2,-;x", "bad priority"},
		{"bad sequence", "6,1a,2,-;x", "bad sequence number"},
		{"sequence overflow", "6,18446744073709551616,2,-;x", "bad sequence number"},
		{"timestamp overflow", "6,1,9223372036854776,-;x", "bad timestamp"},
		{"continuation line alone", " SUBSYSTEM=usb", "no ';'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecord([]byte(tt.raw))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("err = %q, want it to mention %q", err, tt.errText)
			}
		})
	}
}

func TestDecodeEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{`\x5c`, `\`},
		{`\x5cx41`, `\x41`},
		{`a\x00b`, "a\x00b"},
		{`\xff\xFE`, "\xff\xfe"},
		{`\xe2\x98\x83`, "\u2603"},
		{`trailing \x4`, `trailing \x4`},
		{`trailing \x`, `trailing \x`},
		{`trailing \`, `trailing \`},
		{`\xzz stays`, `\xzz stays`},
		{`\q stays`, `\q stays`},
	}
	for _, tt := range tests {
		if got := DecodeEscapes(tt.in); got != tt.want {
			t.Errorf("DecodeEscapes(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := DecodeEscapes([]byte(tt.in)); got != tt.want {
			t.Errorf("DecodeEscapes([]byte(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseStream(t *testing.T) {
	in := "# comment\n" +
		"6,1,10,-;first\n SUBSYSTEM=x\n DEVICE=y\n" +
		"\n" +
		"garbage\n" +
		"4,2,20,-;second\r\n"
	var texts []string
	var errs []error
	for rec, err := range ParseStream(strings.NewReader(in)) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		texts = append(texts, rec.Text)
	}
	if strings.Join(texts, "|") != "first|second" {
		t.Errorf("texts = %q", texts)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "line 6") ||
		!errors.Is(errs[0], ErrMalformed) {
		t.Errorf("errs = %v, want one malformed error on line 6", errs)
	}
}
