package kg

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Precision says how much of a Date the source gives.
type Precision string

const (
	YearPrecision  Precision = "YEAR"
	MonthPrecision Precision = "MONTH"
	DayPrecision   Precision = "DAY"
)

// Date is a calendar date known to a year, a month or a day. A source that
// says "2014" must never gain a month: Month and Day stay 0 when unknown.
type Date struct {
	Year, Month, Day int
}

var dateRE = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$`)

// ParseDate reads "2014", "2015-09" or "2015-09-25".
func ParseDate(s string) (Date, error) {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	var d Date
	d.Year, _ = strconv.Atoi(m[1])
	if d.Year == 0 {
		// The zero Date means "unknown"; accepting year 0 would turn a
		// filter into no filter.
		return Date{}, fmt.Errorf("date %q: year 0 out of range", s)
	}
	if m[2] != "" {
		d.Month, _ = strconv.Atoi(m[2])
		if d.Month < 1 || d.Month > 12 {
			return Date{}, fmt.Errorf("date %q: month %d out of range", s, d.Month)
		}
	}
	if m[3] != "" {
		d.Day, _ = strconv.Atoi(m[3])
		if d.Day < 1 || d.Day > daysIn(d.Year, d.Month) {
			return Date{}, fmt.Errorf("date %q: day %d out of range", s, d.Day)
		}
	}
	return d, nil
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// Precision of a known date.
func (d Date) Precision() Precision {
	switch {
	case d.Day != 0:
		return DayPrecision
	case d.Month != 0:
		return MonthPrecision
	default:
		return YearPrecision
	}
}

// String gives the date as written: "2014", "2015-09", "2015-09-25"; "" if unknown.
func (d Date) String() string {
	switch {
	case d.IsZero():
		return ""
	case d.Day != 0:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	case d.Month != 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	default:
		return fmt.Sprintf("%04d", d.Year)
	}
}

// First is the first day the date covers: "2015-09" → 2015-09-01. Sorting and
// range filters compare First so that dates of any precision interleave.
func (d Date) First() time.Time {
	m, day := max(d.Month, 1), max(d.Day, 1)
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}

// Last is the last day the date covers: "2015" → 2015-12-31.
func (d Date) Last() time.Time {
	switch d.Precision() {
	case DayPrecision:
		return d.First()
	case MonthPrecision:
		return d.First().AddDate(0, 1, -1)
	default:
		return time.Date(d.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	}
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
