package security

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// BackupCodeCount is how many backup codes a user gets (SEC-2).
const BackupCodeCount = 10

// backupAlphabet has no look-alike characters (no 0/o, 1/l/i, 5/s, 2/z, 8/b).
const backupAlphabet = "34679acdefghjkmnpqrtuvwxy"

// newBackupCodes returns BackupCodeCount codes "xxxxx-xxxxx" and the hashes
// of their normalized form.
func newBackupCodes() (codes, hashes []string, err error) {
	for range BackupCodeCount {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("security: reading random bytes: %w", err)
		}
		var c strings.Builder
		for i, v := range b {
			if i == 5 {
				c.WriteByte('-')
			}
			// 250 is a multiple of 25: rejecting 250..255 keeps it uniform.
			for v >= 250 {
				var one [1]byte
				if _, err := rand.Read(one[:]); err != nil {
					return nil, nil, fmt.Errorf("security: reading random bytes: %w", err)
				}
				v = one[0]
			}
			c.WriteByte(backupAlphabet[int(v)%len(backupAlphabet)])
		}
		codes = append(codes, c.String())
		hashes = append(hashes, hashHex(normalizeBackupCode(c.String())))
	}
	return codes, hashes, nil
}

// normalizeBackupCode drops dashes and spaces and lower-cases.
func normalizeBackupCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, code)
}

// replaceBackupCodes deletes userID's backup codes and stores hashes.
func replaceBackupCodes(ctx context.Context, tx *sql.Tx, userID string, hashes []string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("security: deleting backup codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO backup_codes (id, user_id, code_hash, created_at)
			VALUES ($1, $2, $3, $4)`, id.New(), userID, h, now); err != nil {
			return fmt.Errorf("security: storing backup code: %w", err)
		}
	}
	return nil
}

// useBackupCode marks code used when it is one of userID's unused backup
// codes. The hashes are compared in constant time.
func useBackupCode(ctx context.Context, tx *sql.Tx, userID, code string, now time.Time) (bool, error) {
	norm := normalizeBackupCode(code)
	if len(norm) != 10 {
		return false, nil
	}
	got := []byte(hashHex(norm))
	rows, err := tx.QueryContext(ctx, `SELECT id, code_hash FROM backup_codes WHERE user_id = $1 AND used_at IS NULL`, userID)
	if err != nil {
		return false, fmt.Errorf("security: loading backup codes: %w", err)
	}
	var match string
	for rows.Next() {
		var codeID, h string
		if err := rows.Scan(&codeID, &h); err != nil {
			rows.Close()
			return false, fmt.Errorf("security: reading backup codes: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(h), got) == 1 {
			match = codeID
		}
	}
	if err := rows.Close(); err != nil {
		return false, fmt.Errorf("security: reading backup codes: %w", err)
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("security: reading backup codes: %w", err)
	}
	if match == "" {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE backup_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, now, match)
	if err != nil {
		return false, fmt.Errorf("security: using backup code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RegenerateBackupCodes replaces all backup codes of userID with 10 new
// ones, shown once. It needs the password (account.ErrCurrentPasswordWrong on
// "password") and two-step sign-in on (ErrTwoStepOff).
func (s *Service) RegenerateBackupCodes(ctx context.Context, userID, password string, meta audit.Meta) ([]string, error) {
	u, err := s.checkPassword(ctx, userID, password)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := newBackupCodes()
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		n, err := methodCount(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrTwoStepOff
		}
		if err := replaceBackupCodes(ctx, tx, u.ID, hashes, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, u.ID), SubjectUserID: u.ID,
			Action: "security.backup_codes_regenerated", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
