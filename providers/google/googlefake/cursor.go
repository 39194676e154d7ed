package googlefake

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// cursor is what page and sync tokens carry. Clients must treat them as
// opaque; the fake just encodes its position.
type cursor struct {
	Cal      string `json:"c"`
	Epoch    int    `json:"e"`
	Since    int64  `json:"s"` // changes after this version (-1: full listing)
	Snapshot int64  `json:"v"` // listing as of this version
	Offset   int    `json:"o"`
	Query    string `json:"q"` // the filters a page token was issued for
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	var c cursor
	return c, json.Unmarshal(b, &c) == nil
}

// intParam reads a positive integer query parameter within [1, max].
func intParam(v string, def, max int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, false
	}
	return min(n, max), true
}
