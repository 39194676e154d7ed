package ical

import "testing"

func TestChunkListIndexesEveryElement(t *testing.T) {
	var c chunkList[int]
	const n = 3*maxChunkLen + growingChunks + 17
	for i := range n {
		c.add(i)
	}
	for i := range n {
		if got := *c.at(i); got != i {
			t.Fatalf("at(%d) = %d", i, got)
		}
	}
	for k, ch := range c.chunks[:len(c.chunks)-1] {
		if len(ch) != cap(ch) {
			t.Errorf("chunk %d not full: %d of %d", k, len(ch), cap(ch))
		}
	}
	perm := c.order(func(a, b *int) int { return *b - *a })
	if perm[0] != n-1 || perm[n-1] != 0 {
		t.Errorf("order: first %d, last %d", perm[0], perm[n-1])
	}
}
