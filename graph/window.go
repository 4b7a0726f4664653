package graph

import (
	"cyberkg/errs"
	"cyberkg/graph/args"
)

// window is the part of an ordered list that first/after or last/before
// ask for, as an offset and a limit. Cursors are offsets (pagination.go).
// last without before counts from the end, which needs the list's length:
// count is asked only then.
func window(size args.Int, first, last *int, after, before *string, count func() (int, error)) (offset, limit int, err error) {
	if first != nil && last != nil {
		return 0, 0, errs.Invalidf("first and last: give one of them, not both")
	}
	start, end := 0, -1
	if after != nil && *after != "" {
		n, ok := decodeCursor(*after)
		if !ok {
			return 0, 0, errs.Invalidf("after: %q is not a cursor this API gave out", *after)
		}
		start = n + 1
	}
	if before != nil && *before != "" {
		n, ok := decodeCursor(*before)
		if !ok {
			return 0, 0, errs.Invalidf("before: %q is not a cursor this API gave out", *before)
		}
		end = n
	}
	if last != nil {
		lastSize := size
		lastSize.Name = "last"
		n, err := lastSize.Value(last)
		if err != nil {
			return 0, 0, err
		}
		if end < 0 {
			if end, err = count(); err != nil {
				return 0, 0, err
			}
		}
		offset = max(start, end-n)
		return offset, max(0, end-offset), nil
	}
	n, err := size.Value(first)
	if err != nil {
		return 0, 0, err
	}
	if end >= 0 {
		n = min(n, max(0, end-start))
	}
	return start, n, nil
}
