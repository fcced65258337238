package store

import (
	"context"
	"sync"
)

// A memo keeps, for the length of a batch of changes (the renewal sweep's
// chunk), what the batch reads again and again and does not change: an
// organization's contacts and name, the webhook endpoints, the catalog's
// current version. A change made meanwhile by someone else is seen by the
// next batch. Outside a batch (no memo in the context) every read goes to
// the database.
type memo struct {
	mu     sync.Mutex
	values map[string]any
}

type memoKey struct{}

// WithMemo returns ctx carrying a new, empty memo.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{values: map[string]any{}})
}

// Remember answers the value kept under key in ctx's memo, or loads it
// (and keeps it when it loaded without error). Without a memo it loads.
// The value is shared by every caller of the batch: treat it as read-only.
func Remember[T any](ctx context.Context, key string, load func() (T, error)) (T, error) {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		return load()
	}
	m.mu.Lock()
	v, ok := m.values[key]
	m.mu.Unlock()
	if t, isT := v.(T); ok && isT {
		return t, nil
	}
	t, err := load()
	if err != nil {
		return t, err
	}
	m.mu.Lock()
	m.values[key] = t
	m.mu.Unlock()
	return t, nil
}
