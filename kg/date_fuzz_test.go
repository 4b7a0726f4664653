package kg

import "testing"

// Whatever text a client sends as a Date, ParseDate answers without
// panicking, and what it accepts prints back as the same text and spans a
// real interval.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2014", "2015-09", "2015-09-25", "2016-02-29", "2015-02-29", "2015-13", "0000", "9999-12-31", "", "2015-9-1", "２０１５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if d.Last().Before(d.First()) {
			t.Fatalf("%q: last day %v before first %v", s, d.Last(), d.First())
		}
	})
}
