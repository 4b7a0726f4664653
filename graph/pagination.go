package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"cyberkg/graph/model"
)

// Cursors are opaque to clients; inside, they are offsets into the ordered
// list (window.go reads them).
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
