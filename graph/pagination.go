package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"cyberkg/errs"
	"cyberkg/graph/args"
	"cyberkg/graph/model"
)

// page checks first and after and returns the offset and limit they mean.
// Cursors are opaque to clients; inside, they are offsets into the ordered
// list.
func page(size args.Int, first *int, after *string) (offset, limit int, err error) {
	if limit, err = size.Value(first); err != nil {
		return 0, 0, err
	}
	if after != nil && *after != "" {
		n, ok := decodeCursor(*after)
		if !ok {
			return 0, 0, errs.Invalidf("after: %q is not a cursor this API gave out", *after)
		}
		offset = n + 1
	}
	return offset, limit, nil
}

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
	if err != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
		return 0, false
	}
	return n, true
}

// pageInfo describes items [offset, offset+n) of total.
func pageInfo(offset, n, total int) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: offset+n < total, HasPreviousPage: offset > 0}
	if n > 0 {
		start, end := encodeCursor(offset), encodeCursor(offset+n-1)
		pi.StartCursor, pi.EndCursor = &start, &end
	}
	return pi
}
