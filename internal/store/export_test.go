package store

import "context"

// MigrateUpTo applies alpage's migrations up to version v (tests of a
// migration's data changes).
func (db *DB) MigrateUpTo(ctx context.Context, v int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, v)
	return err
}
