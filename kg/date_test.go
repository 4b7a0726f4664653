package kg

import "testing"

func TestParseDateKeepsPrecision(t *testing.T) {
	tests := []struct {
		in          string
		prec        Precision
		first, last string
	}{
		{"2014", YearPrecision, "2014-01-01", "2014-12-31"},
		{"2015-09", MonthPrecision, "2015-09-01", "2015-09-30"},
		{"2016-02", MonthPrecision, "2016-02-01", "2016-02-29"},
		{"2015-09-25", DayPrecision, "2015-09-25", "2015-09-25"},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if d.String() != tt.in || d.Precision() != tt.prec ||
			d.First().Format("2006-01-02") != tt.first || d.Last().Format("2006-01-02") != tt.last {
			t.Errorf("%s: %s %s %s..%s", tt.in, d, d.Precision(), d.First(), d.Last())
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{"", "15", "2015-9", "2015-13", "2015-02-30", "2015/09", "September 2015", "2015-09-25T00:00"} {
		if _, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) accepted it", in)
		}
	}
}
