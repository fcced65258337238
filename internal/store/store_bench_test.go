package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"github.com/alpage/alpage/internal/testutil"
)

// BenchmarkWithTxInsert measures one small write transaction (the shape of
// most domain changes): begin, upsert a row, commit.
func BenchmarkWithTxInsert(b *testing.B) {
	for _, engine := range testutil.Engines {
		b.Run(string(engine), func(b *testing.B) {
			db := testutil.OpenDB(b, engine)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				err := db.WithTx(ctx, func(tx *sql.Tx) error {
					return setSetting(ctx, tx, "bench-"+strconv.Itoa(i), "v", t0)
				})
				if err != nil {
					b.Fatalf("WithTx: %v", err)
				}
			}
		})
	}
}
